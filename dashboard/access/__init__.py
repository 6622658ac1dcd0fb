"""access room."""
