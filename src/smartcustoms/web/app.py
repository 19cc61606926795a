"""Application factory: ``create_app(settings)`` builds one independent app instance."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy import text

from smartcustoms import __version__
from smartcustoms.bootstrap import Container, bootstrap, routers
from smartcustoms.config import Settings
from smartcustoms.db.engine import Database
from smartcustoms.reference import service as reference
from smartcustoms.web import csrf, errors, i18n, openapi, vocabulary
from smartcustoms.web.guard import GuardMiddleware
from smartcustoms.web.pages import home as home_pages
from smartcustoms.web.ratelimit import RateLimiter

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
        # /docs is served below from the package's own Swagger UI files (no CDN: air-gapped
        # installations get working API docs); ReDoc would need a CDN, so it is off.
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.settings = settings
    app.state.container = container
    app.state.db = container.db
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    # Not "version": a page's own `version` (a case version, say) would shadow it.
    templates.env.globals["app_version"] = __version__
    templates.env.globals["main_nav"] = home_pages.main_nav
    templates.env.globals["data_notice"] = lambda: data_notice(app.state.db)
    csrf.install_template_globals(templates.env)
    i18n.install_template_globals(templates.env)
    vocabulary.install_template_globals(templates.env)
    app.state.templates = templates
    # Mounted before /static, which would otherwise take these paths.
    app.mount("/static/swagger-ui", StaticFiles(directory=swagger_ui_dir()), name="swagger-ui")
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="SmartCustoms API",
            swagger_js_url="/static/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/static/swagger-ui/favicon-32x32.png",
        )

    errors.install(app)
    app.add_middleware(GuardMiddleware, settings=settings)
    app.state.rate_limiter = RateLimiter(settings.anonymous_expensive_per_minute)

    @app.get("/healthz", tags=["health"])
    def healthz() -> dict[str, str]:
        with app.state.db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return {"status": "ok", "version": __version__, "database": app.state.db.dialect}

    for router in routers():
        # Every page route checks the CSRF token of state changes (the API needs bearer tokens).
        page = not (router.prefix or "").startswith("/api/")
        app.include_router(router, dependencies=[Depends(csrf.protect)] if page else None)
    openapi.install(app)
    return app


def swagger_ui_dir() -> str:
    """The Swagger UI files shipped by the ``swagger-ui-bundle`` package."""
    from swagger_ui_bundle import swagger_ui_path

    return str(swagger_ui_path)


def data_notice(db: Database) -> str | None:
    """The banner every page shows when the platform runs on the built-in sample data."""
    return reference.data_notice(db.uow())
