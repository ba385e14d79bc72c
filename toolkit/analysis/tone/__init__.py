"""tone."""
