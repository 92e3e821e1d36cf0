"""surveys models (brand schema)."""
