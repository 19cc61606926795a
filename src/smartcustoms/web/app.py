"""Application factory: ``create_app(settings)`` builds one independent app instance."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy import text

from smartcustoms import __version__
from smartcustoms.bootstrap import Container, bootstrap, routers
from smartcustoms.config import Settings
from smartcustoms.db.engine import Database
from smartcustoms.reference import service as reference
from smartcustoms.web import errors

HERE = Path(__file__).parent


def create_app(
    settings: Settings | None = None,
    db: Database | None = None,
    *,
    container: Container | None = None,
) -> FastAPI:
    """An app for ``settings`` (and ``db``), wired by the composition root (or ``container``)."""
    container = container or bootstrap(settings, db)
    settings = container.settings
    wired = container

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        wired.close()  # the connections of a database this app opened itself

    app = FastAPI(
        lifespan=lifespan,
        title="SmartCustoms",
        version=__version__,
        description="Paperless declarations, risk targeting, reference data, case repository.",
        docs_url="/docs",
        openapi_url="/openapi.json",
    )
    app.state.settings = settings
    app.state.container = container
    app.state.db = container.db
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.globals["version"] = __version__
    templates.env.globals["data_notice"] = lambda: data_notice(app.state.db)
    app.state.templates = templates
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    errors.install(app)

    @app.get("/healthz", tags=["health"])
    def healthz() -> dict[str, str]:
        with app.state.db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return {"status": "ok", "version": __version__, "database": app.state.db.dialect}

    for router in routers():
        app.include_router(router)
    return app


def data_notice(db: Database) -> str | None:
    """The banner every page shows when the platform runs on the built-in sample data."""
    return reference.data_notice(db.uow())
