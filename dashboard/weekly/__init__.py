"""weekly room."""
