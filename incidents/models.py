"""incidents models (brand schema)."""
