"""content brand admin."""
