"""StampedCache: a value is served only under the stamp it was built under; kinds are bounded
separately."""

from __future__ import annotations

import threading

from smartcustoms.db.cache import StampedCache


def test_served_only_under_its_stamp() -> None:
    cache = StampedCache()
    builds: list[str] = []

    def build(v: str) -> str:
        builds.append(v)
        return v

    assert cache.get(("tariff", "KR"), "s1", lambda: build("a")) == "a"
    assert cache.get(("tariff", "KR"), "s1", lambda: build("b")) == "a"
    assert cache.get(("tariff", "KR"), "s2", lambda: build("c")) == "c"
    assert cache.get(("tariff", "KR"), "s1", lambda: build("d")) == "d"  # old stamp: rebuilt
    assert cache.get(("tariff", "KR"), None, lambda: build("e")) == "e"  # no stamp: no cache
    assert cache.get(("tariff", "KR"), None, lambda: build("f")) == "f"
    assert builds == ["a", "c", "d", "e", "f"]
    assert (cache.hits, cache.misses) == (1, 3)


def test_one_kind_never_evicts_another() -> None:
    cache = StampedCache(size=2)
    cache.get(("tariff", "KR"), "t", lambda: "kr")
    for year in range(50):
        cache.get(("cases:compiled", year, "pdf"), "p", lambda: b"%PDF")
    assert cache.get(("tariff", "KR"), "t", lambda: "rebuilt") == "kr"
    assert cache.get(("cases:compiled", 0, "pdf"), "p", lambda: b"rebuilt") == b"rebuilt"


def test_threads_share_one_value() -> None:
    cache = StampedCache()
    seen: list[object] = []
    barrier = threading.Barrier(8)

    def use() -> None:
        barrier.wait()
        for _ in range(200):
            seen.append(cache.get(("k",), "s", object))

    threads = [threading.Thread(target=use) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # At most one value per racing first miss; afterwards everyone gets the stored one.
    assert len(seen) == 1600 and len({id(v) for v in seen}) <= 8
    assert cache.get(("k",), "s", object) is cache.get(("k",), "s", object)
