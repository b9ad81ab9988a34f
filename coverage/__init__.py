"""whitespot.coverage."""
