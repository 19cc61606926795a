"""JSON API routers, all under /api/v1."""
