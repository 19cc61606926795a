from hypothesis import given
from hypothesis import strategies as st

from smartcustoms.core import codes
from smartcustoms.core.pagination import Page, PageRequest
from smartcustoms.db.fulltext import Hit, terms
from smartcustoms.web.errors import _json_path


def test_apec_has_21_economies_with_valid_codes() -> None:
    assert len(codes.APEC_ECONOMIES) == 21
    for economy in codes.APEC_ECONOMIES:
        assert codes.is_currency(economy.currency), economy
        # Chinese Taipei and Hong Kong, China use their ISO codes as customs territories.
        assert codes.is_country(economy.code), economy


def test_country_and_currency_checks() -> None:
    assert codes.is_country("kr") and not codes.is_country("XX")
    assert codes.is_currency("krw") and not codes.is_currency("KRX")


def test_terms_are_lowercased_and_deduplicated() -> None:
    assert terms("Lithium-ion BATTERY, lithium!") == ["lithium", "ion", "battery"]
    assert terms("   ") == []


@given(st.text())
def test_terms_never_contain_query_syntax(text: str) -> None:
    for word in terms(text):
        assert word and all(ch.isalnum() for ch in word)


def test_snippet_plain_text_drops_marks() -> None:
    hit = Hit("1", 1.0, "the <mark>image</mark> &amp; scan")
    assert hit.snippet == "the image & scan"


def test_json_paths_from_request_locations() -> None:
    assert _json_path(("body", "items", 3, "hs_code")) == "items[3].hs_code"
    assert _json_path(("query", "page")) == "page"


def test_pagination_arithmetic() -> None:
    assert PageRequest(page=3, size=20).offset == 40
    assert Page(items=[], total=41, page=1, size=20).pages == 3
    assert Page(items=[], total=0, page=1, size=20).pages == 1
