"""The controlled-substance pages, one module per kind of work."""
