"""whitespot.planning."""
