"""surveys brand admin."""
