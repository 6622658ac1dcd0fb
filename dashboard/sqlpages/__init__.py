"""sqlpages room."""
