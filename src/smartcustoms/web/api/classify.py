"""/api/v1/classify: HS code suggestions for one goods description or many.

The classifier is the application's (``Ports.hs_suggester``, built by the composition root):
loaded on first use and reloaded when a newer build becomes current. The same holder backs
the lodgement check that the declaration routes pass to the declarations service
(:func:`description_check`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request

from smartcustoms.classify import service
from smartcustoms.classify.lodgement import DescriptionCheck, LazySuggester
from smartcustoms.classify.schemas import ClassifyOut, ClassifyResultOut
from smartcustoms.classify.suggester import MAX_TOP, Suggester
from smartcustoms.errors import DataUnavailable, InvalidInput
from smartcustoms.web.deps import CurrentPrincipal, UoW, get_settings

router = APIRouter(prefix="/api/v1/classify", tags=["classify"])
MAX_ITEMS = 1000

EXAMPLE_ONE = {
    "description": "925 sterling silver heart pendant necklace",
    "category": "Jewelry & Accessories > Fine Jewelry > Necklaces",
    "attributes": {"Material": "Silver"},
    "price": 39.9,
    "currency": "USD",
    "top": 5,
}


def suggester_holder(request: Request) -> Callable[[], Suggester | None]:
    holder: Callable[[], Suggester | None] | None = request.app.state.container.ports.hs_suggester
    if holder is None:  # a container built without one: the settings' home, uncached
        return LazySuggester.under(get_settings(request).home)
    return holder


def description_check(request: Request) -> DescriptionCheck:
    """The lodgement port (silent while no model is built)."""
    return DescriptionCheck(suggester_holder(request))


def _loaded(request: Request) -> Suggester:
    model = suggester_holder(request)()
    if model is None:
        raise DataUnavailable("no HS classifier is built yet: run 'smartcustoms classify build'")
    return model


def _top(raw: Any) -> int:
    top = raw.get("top", 5) if isinstance(raw, dict) else 5
    if isinstance(top, bool) or not isinstance(top, int) or not 1 <= top <= MAX_TOP:
        raise InvalidInput.single("top", "out_of_range", f"top is a whole number 1 to {MAX_TOP}")
    return top


@router.post("", response_model=ClassifyOut)
def classify(
    request: Request,
    uow: UoW,
    principal: CurrentPrincipal,
    body: Annotated[Any, Body(openapi_examples={"one": {"value": EXAMPLE_ONE}})],
) -> ClassifyOut:
    """Suggest HS 2022 subheadings. Send one description (``description``, optional
    ``category``, ``attributes``, ``price``, ``currency``) or many (``{"items": [...]}``);
    ``top`` (1-20, default 5). One: invalid input is a 422 with every problem. Many: each bad
    item gets an ``error`` in its place and the rest are classified. Subheadings list the
    caller's economy's national tariff lines under them."""
    top = _top(body)
    if isinstance(body, dict) and "items" in body:
        items = body["items"]
        if not isinstance(items, list) or not 1 <= len(items) <= MAX_ITEMS:
            raise InvalidInput.single(
                "items", "invalid_items", f"items is a list of 1 to {MAX_ITEMS} objects"
            )
        parsed: list[Any] = []
        for i, raw in enumerate(items):
            try:
                parsed.append(service.parse_query(raw, f"items[{i}]"))
            except InvalidInput as exc:
                parsed.append(tuple(exc.errors))
    else:
        parsed = [service.parse_query(body)]
    model = _loaded(request)
    results = service.classify_batch(model, parsed, top)
    good = [r.classification for r in results if r.classification is not None]
    codes = {s.hs_code for c in good for s in c.suggestions}
    lines = service.national_lines(uow, principal.economy, codes)
    out = []
    for r in results:
        if r.classification is not None:
            r = service.BatchResult(r.index, service.with_lines(r.classification, lines))
        out.append(ClassifyResultOut.model_validate(r.to_dict()))
    return ClassifyOut(model=model.version, results=out)


@router.get("", response_model=ClassifyOut)
def classify_one(
    request: Request,
    uow: UoW,
    principal: CurrentPrincipal,
    description: Annotated[str, Query(min_length=1, max_length=2000)],
    category: Annotated[str | None, Query(max_length=500)] = None,
    top: Annotated[int, Query(ge=1, le=MAX_TOP)] = 5,
) -> ClassifyOut:
    """Suggest HS 2022 subheadings for one description (the search-as-you-type of the
    declaration form: a read, so the page's session cookie may call it, unlike a POST)."""
    raw: dict[str, Any] = {"description": description, "top": top}
    if category:
        raw["category"] = category
    return classify(request, uow, principal, raw)


__all__ = ["description_check", "router", "suggester_holder"]
