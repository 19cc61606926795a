from smartcustoms.classify.text import compose, content_words, normalise


def test_normalise_spells_like_the_nomenclature() -> None:
    assert normalise("Jewelry & Aluminum Color") == "jewellery and aluminium colour"
    assert normalise("Café  Crème") == "cafe creme"


def test_filler_is_not_content() -> None:
    assert content_words("NEW Hot Sale High Quality gift for her") == []
    assert content_words("Silver ring for her") == ["silver", "ring"]


def test_compose_adds_the_nomenclature_words_for_listing_terms() -> None:
    text = compose("Mens Hoodie", "Clothing > Hoodies", {"Material": "Cotton"})
    assert "knitted crocheted" in text
    assert "of cotton" in text


def test_attribute_rules_need_their_context() -> None:
    ring = compose("Heart ring", attributes={"Material": "925 Sterling Silver"})
    assert "jewellery of silver" in ring
    cutlery = compose("Sterling silver spoon")
    assert "jewellery" not in cutlery
    shoe = compose("Running shoes", attributes={"Upper Material": "Mesh"})
    assert "uppers of textile materials" in shoe
