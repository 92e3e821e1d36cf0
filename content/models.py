"""content models (brand schema)."""
