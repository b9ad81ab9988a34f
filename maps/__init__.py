"""whitespot.maps."""
