"""Application factory: ``create_app(settings)`` builds one independent app instance."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy import text

from smartcustoms import __version__
from smartcustoms.config import Settings
from smartcustoms.db.engine import Database
from smartcustoms.reference import service as reference
from smartcustoms.web import errors
from smartcustoms.web.api import accounts as accounts_api
from smartcustoms.web.api import cases as cases_api
from smartcustoms.web.api import classify as classify_api
from smartcustoms.web.api import declarations as declarations_api
from smartcustoms.web.api import reference as reference_api
from smartcustoms.web.api import risk as risk_api
from smartcustoms.web.pages import cases as cases_pages
from smartcustoms.web.pages import declarations as declarations_pages
from smartcustoms.web.pages import home as home_pages
from smartcustoms.web.pages import reference as reference_pages

HERE = Path(__file__).parent


def create_app(settings: Settings | None = None, db: Database | None = None) -> FastAPI:
    settings = settings or Settings()
    app = FastAPI(
        title="SmartCustoms",
        version=__version__,
        description="Paperless declarations, risk targeting, reference data, case repository.",
        docs_url="/docs",
        openapi_url="/openapi.json",
    )
    app.state.settings = settings
    app.state.db = db or Database(settings.effective_database_url)
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

    for router in ROUTERS:
        app.include_router(router)
    return app


ROUTERS: tuple[APIRouter, ...] = (
    accounts_api.router,
    reference_api.router,
    declarations_api.router,
    risk_api.router,
    cases_api.router,
    classify_api.router,
    home_pages.router,
    reference_pages.router,
    declarations_pages.router,
    cases_pages.router,
)


def data_notice(db: Database) -> str | None:
    """The banner every page shows when the platform runs on the built-in sample data."""
    return reference.data_notice(db.uow())
