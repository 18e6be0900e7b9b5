"""Web app and HTTP API (``gigafleet serve``)."""
