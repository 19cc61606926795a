"""``smartcustoms serve``: the web app under uvicorn."""

from __future__ import annotations

import typer
import uvicorn

from smartcustoms.cli._common import console, state


def serve(
    ctx: typer.Context,
    host: str = typer.Option(None, help="Interface (default from settings: 127.0.0.1)."),
    port: int = typer.Option(None, help="Port (default from settings: 8000)."),
) -> None:
    """Serve the web pages and the JSON API."""
    from smartcustoms.web.app import create_app

    settings = state(ctx).settings
    host, port = host or settings.host, port or settings.port
    console.print(f"SmartCustoms on [bold]http://{host}:{port}/[/bold]  (API docs: /docs)")
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info")
