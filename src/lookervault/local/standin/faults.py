"""Fault knobs: latency, a 429 rate limit, random 5xx, pages and writes that fail N times.

A real Looker behind a proxy can also apply a write and still answer 503, or drop the
connection: the client cannot tell whether the write happened. A fault can therefore come
after the write (the route runs, its answer is replaced) and can drop the connection instead
of answering.

Every knob can be changed while the server runs (plain attribute assignment or `fail_page`);
the decision for one request is taken under a lock so parallel workers see consistent counts.
"""

from __future__ import annotations

import fnmatch
import math
import random
import threading
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field

WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass
class Fault:
    """What to answer instead of the real response."""

    status: int
    kind: str
    """"rate_limit", "fail_page", "fail_request", "error_rate", "drop", or one of the last
    three with "_after_write"."""
    retry_after_s: int | None = None
    after_write: bool = False
    """The request is handled first (a write is applied), then its answer replaced."""
    drop: bool = False
    """The connection is closed without an answer."""


@dataclass
class FailingPage:
    path: str
    offset: int | None
    remaining: int
    status: int


@dataclass
class FailingRequest:
    method: str
    pattern: str
    remaining: int | None
    status: int
    after_write: bool
    drop: bool

    def fault(self) -> Fault:
        kind = "drop" if self.drop else "fail_request"
        if self.after_write:
            kind += "_after_write"
        return Fault(self.status, kind, after_write=self.after_write, drop=self.drop)


@dataclass
class Faults:
    """Knobs read on every request.

    latency_s: sleep before answering. rate_limit_per_s: answer 429 + Retry-After once more
    requests than this arrived in the last second (None = unlimited). error_rate: share of
    requests answering `error_status`, drawn from a stream seeded with `error_seed`.
    errors_after_write: share of those errors that, on a write (POST, PUT, PATCH, DELETE; not
    a login), come after the write was applied; drawn from the same stream.
    """

    latency_s: float = 0.0
    rate_limit_per_s: float | None = None
    error_rate: float = 0.0
    error_status: int = 503
    error_seed: int = 0
    errors_after_write: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)
    _pages: list[FailingPage] = field(default_factory=list, repr=False, compare=False)
    _requests: list[FailingRequest] = field(default_factory=list, repr=False, compare=False)
    _recent: deque[float] = field(default_factory=deque, repr=False, compare=False)
    _rng: random.Random | None = field(default=None, repr=False, compare=False)

    def fail_page(
        self, path: str, offset: int | None = None, times: int = 1, status: int = 503
    ) -> None:
        """Make GET `path` (API-relative, e.g. "/dashboards/search") at `offset` fail `times`.

        offset=None matches any offset, so any request to the path fails.
        """
        with self._lock:
            self._pages.append(FailingPage(_api_relative(path), offset, times, status))

    def fail_requests(
        self,
        method: str,
        path: str,
        times: int | None = 1,
        status: int = 503,
        *,
        after_write: bool = False,
        drop: bool = False,
    ) -> None:
        """Make `method` requests to `path` fail `times` (None: until `clear()`).

        `path` is API-relative and may hold shell wildcards: ("POST", "/looks") fails every
        create_look, ("PATCH", "/dashboard_layout_components/*") every tile move, ("*",
        "/dashboards*") everything about dashboards. `after_write`: the request is handled
        first (the write applied), then answered with `status`; `drop`: the connection is
        closed without an answer (with `after_write`, once the write is applied). Answers are
        reported as "fail_request" or "drop", with "_after_write" when after the write.
        """
        with self._lock:
            self._requests.append(
                FailingRequest(
                    method.upper(), _api_relative(path), times, status, after_write, drop
                )
            )

    def clear(self) -> None:
        """Back to a healthy server: no latency, no limit, no errors, nothing failing."""
        with self._lock:
            self.latency_s = 0.0
            self.rate_limit_per_s = None
            self.error_rate = 0.0
            self._pages.clear()
            self._requests.clear()
            self._recent.clear()

    def rate_limited(self, now: float | None = None) -> Fault | None:
        """A 429 when this request goes over the limit for the last second, else count it."""
        limit = self.rate_limit_per_s
        now = time.monotonic() if now is None else now
        with self._lock:
            while self._recent and self._recent[0] <= now - 1.0:
                self._recent.popleft()
            if limit is not None and len(self._recent) >= limit:
                wait = 1.0 - (now - self._recent[0]) if self._recent else 1.0
                return Fault(429, "rate_limit", retry_after_s=max(1, math.ceil(wait)))
            self._recent.append(now)
        return None

    def injected_error(self, method: str, path: str, query: Mapping[str, str]) -> Fault | None:
        """A failing page or request that still has failures left, or a random 5xx."""
        with self._lock:
            for failing in self._pages:
                if failing.remaining > 0 and _page_matches(failing, method, path, query):
                    failing.remaining -= 1
                    return Fault(failing.status, "fail_page")
            relative = _api_relative(path)
            for request in self._requests:
                if request.remaining == 0:
                    continue
                if fnmatch.fnmatchcase(method, request.method) and fnmatch.fnmatchcase(
                    relative, request.pattern
                ):
                    if request.remaining is not None:
                        request.remaining -= 1
                    return request.fault()
            if self.error_rate > 0:
                if self._rng is None:
                    self._rng = random.Random(self.error_seed)
                if self._rng.random() < self.error_rate:
                    late = self._after_write(self._rng, method, relative)
                    kind = "error_rate_after_write" if late else "error_rate"
                    return Fault(self.error_status, kind, after_write=late)
        return None

    def _after_write(self, rng: random.Random, method: str, relative: str) -> bool:
        """Whether a random error on this request comes after its write: a second draw,
        made only for writes and only when some errors come late, so with the default 0.0
        the same requests fail as before this knob existed."""
        if self.errors_after_write <= 0 or method not in WRITES:
            return False
        if relative == "/login" or relative.startswith("/login/"):
            return False
        return rng.random() < self.errors_after_write


def _page_matches(failing: FailingPage, method: str, path: str, query: Mapping[str, str]) -> bool:
    if method != "GET" or _api_relative(path) != failing.path:
        return False
    if failing.offset is None:
        return True
    return query.get("offset", "0") == str(failing.offset)


def _api_relative(path: str) -> str:
    for prefix in ("/api/4.0", "/api"):
        if path.startswith(prefix + "/"):
            return path[len(prefix) :]
    return path
