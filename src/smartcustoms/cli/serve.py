"""``smartcustoms serve``: the web app under uvicorn, in one process or several workers.

``--workers N`` (N > 1) runs uvicorn's process manager: N worker processes share the listening
socket, and a worker that dies is replaced. The workers are stateless (sessions, tokens, rate
limits and idempotency live in the database), so N processes on one machine and N machines
behind a load balancer are the same setup; see docs/deployment.md. Each worker builds its own
app from the environment, so the settings this command was given are handed down as
``SMARTCUSTOMS_*`` variables.
"""

from __future__ import annotations

import os

import typer
import uvicorn

from smartcustoms.cli._common import console, state
from smartcustoms.config import Settings

__all__ = ["serve", "settings_environment"]

# The factory each worker process calls (no arguments: settings from the environment).
APP_FACTORY = "smartcustoms.web.app:create_app"


def settings_environment(settings: Settings) -> dict[str, str]:
    """``settings`` as the ``SMARTCUSTOMS_*`` variables that rebuild it in a worker process."""
    env: dict[str, str] = {}
    for name, value in settings.model_dump().items():
        if value is not None:
            env[f"SMARTCUSTOMS_{name.upper()}"] = str(value)
    return env


def serve(
    ctx: typer.Context,
    host: str = typer.Option(None, help="Interface (default from settings: 127.0.0.1)."),
    port: int = typer.Option(None, help="Port (default from settings: 8000)."),
    workers: int = typer.Option(
        1, "--workers", min=1, help="Worker processes (share one database; see deployment docs)."
    ),
    access_log: bool = typer.Option(True, "--access-log/--no-access-log", help="Log requests."),
) -> None:
    """Serve the web pages and the JSON API."""
    settings = state(ctx).settings
    host, port = host or settings.host, port or settings.port
    console.print(
        f"SmartCustoms on [bold]http://{host}:{port}/[/bold]  (API docs: /docs)"
        + (f", {workers} workers" if workers > 1 else "")
    )
    if workers == 1:
        from smartcustoms.web.app import create_app

        uvicorn.run(
            create_app(settings), host=host, port=port, log_level="info", access_log=access_log
        )
        return
    os.environ.update(settings_environment(settings))
    uvicorn.run(
        APP_FACTORY,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        access_log=access_log,
        # Connections idle longer than a load balancer's keep-alive would be cut mid-request.
        timeout_keep_alive=75,
    )
