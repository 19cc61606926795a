"""An in-process limiter for expensive endpoints anonymous callers may hit.

A sliding window per (bucket, client address): at most ``per_minute`` requests in any 60
seconds, then 429 with ``Retry-After``. Logged-in callers are not limited (they are
accountable, and their economy pays for its own use). The state lives in the process: right
for the embedded default (one server process); several workers behind a load balancer each
keep their own count, so the effective limit is multiplied by the number of workers -- put a
limit in the proxy for that deployment (see docs/security.md).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

from fastapi import Request

from smartcustoms.errors import RateLimited
from smartcustoms.web.deps import OptionalPrincipal, client_address

__all__ = ["RateLimiter", "expensive_anonymous"]

WINDOW = 60.0


class RateLimiter:
    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self.clock = clock
        self._hits: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, bucket: str, client: str) -> None:
        """Count one request; raise :class:`RateLimited` if it is one too many."""
        now = self.clock()
        with self._lock:
            if len(self._hits) > 10_000:  # forget idle clients so memory stays bounded
                self._hits = {k: v for k, v in self._hits.items() if v and v[-1] > now - WINDOW}
            hits = self._hits.setdefault((bucket, client), deque())
            while hits and hits[0] <= now - WINDOW:
                hits.popleft()
            if len(hits) >= self.per_minute:
                wait = int(hits[0] + WINDOW - now) + 1
                raise RateLimited(
                    f"at most {self.per_minute} such requests a minute without logging in; "
                    f"try again in {wait} s",
                    wait,
                )
            hits.append(now)


def expensive_anonymous(request: Request, principal: OptionalPrincipal) -> None:
    """Dependency: limit anonymous callers of an expensive endpoint (see the module doc)."""
    if principal is not None:
        return
    limiter: RateLimiter | None = getattr(request.app.state, "rate_limiter", None)
    if limiter is not None:
        limiter.hit(request.url.path, client_address(request))
