"""FastAPI application: JSON API routers and server-rendered pages."""
