"""devtools room."""
