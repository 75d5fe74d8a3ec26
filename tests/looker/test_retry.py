"""Retries, backoff, Retry-After and the client-side rate limit, over real HTTP."""

from __future__ import annotations

import random

import pytest

from lookervault.looker.client import (
    LookerRequestError,
    RateLimiter,
    RetryingSession,
    RetryPolicy,
    parse_retry_after,
)
from tests.looker.scripted_http import scripted_server

FAST = RetryPolicy(max_attempts=4, base_delay_s=0.01, max_delay_s=0.05)


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def session(policy: RetryPolicy = FAST) -> tuple[RetryingSession, list[float]]:
    """A session whose waits are recorded, not slept (the limiter runs on a fake clock)."""
    waits: list[float] = []
    clock = FakeClock()
    limiter = RateLimiter(None, clock=clock, sleep=clock.sleep)
    return RetryingSession(policy, limiter, sleep=waits.append), waits


def test_backoff_grows_exponentially_with_full_jitter_and_a_cap() -> None:
    policy = RetryPolicy(base_delay_s=1.0, max_delay_s=8.0)
    rng = random.Random(1)
    for attempt, ceiling in [(1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (9, 8.0)]:
        delays = [policy.delay(attempt, None, rng) for _ in range(200)]
        assert all(0 <= d <= ceiling for d in delays)
        assert max(delays) > ceiling * 0.8
    assert len({policy.delay(3, None, rng) for _ in range(20)}) > 1


def test_retry_after_is_honoured_and_bounded() -> None:
    policy = RetryPolicy(base_delay_s=0.5, max_retry_after_s=60)
    rng = random.Random(2)
    assert all(7 <= policy.delay(1, 7.0, rng) <= 7.5 for _ in range(50))
    assert policy.delay(1, 3600.0, rng) <= 60.5


def test_retry_after_parses_seconds_and_http_dates() -> None:
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0


def test_rate_limiter_spaces_request_starts() -> None:
    clock = FakeClock()
    limiter = RateLimiter(4.0, clock=clock, sleep=clock.sleep)
    for _ in range(5):
        limiter.acquire()
    assert clock.now == pytest.approx(101.0)


def test_a_429_pauses_every_caller_of_the_limiter() -> None:
    clock = FakeClock()
    limiter = RateLimiter(None, clock=clock, sleep=clock.sleep)
    limiter.acquire()
    limiter.pause(2.5)
    limiter.acquire()
    assert clock.slept == [2.5]


def test_429_and_5xx_are_retried_until_success() -> None:
    with scripted_server() as script:
        script.add(429, Retry_After="2")
        script.add(503)
        script.add(200, b'{"ok": true}')
        http, waits = session()
        response = http.get(f"{script.url}/api/4.0/x")
    assert response.json() == {"ok": True}
    assert len(script.seen) == 3
    assert waits[0] >= 2.0 and waits[1] <= FAST.base_delay_s * 2
    assert (http.stats.requests, http.stats.retries, http.stats.throttled) == (3, 2, 1)


def test_out_of_retries_raises_with_the_status() -> None:
    with scripted_server() as script:
        for _ in range(4):
            script.add(503, b'{"message": "busy"}')
        http, waits = session()
        with pytest.raises(LookerRequestError) as caught:
            http.get(f"{script.url}/api/4.0/dashboards/search?offset=100")
    assert caught.value.status == 503 and caught.value.attempts == 4
    assert "busy" in str(caught.value) and "/api/4.0/dashboards/search" in str(caught.value)
    assert len(waits) == 3


def test_client_errors_are_not_retried() -> None:
    with scripted_server() as script:
        script.add(404, b'{"message": "Not found", "documentation_url": "x"}')
        http, waits = session()
        with pytest.raises(LookerRequestError) as caught:
            http.get(f"{script.url}/api/4.0/dashboards/9")
    assert (caught.value.status, caught.value.detail, waits) == (404, "Not found", [])


def test_an_unreachable_host_is_retried_then_reported() -> None:
    with scripted_server() as script:
        url = script.url
    http, waits = session()
    with pytest.raises(LookerRequestError) as caught:
        http.get(f"{url}/api/4.0/versions")
    assert caught.value.status is None and len(waits) == FAST.max_attempts - 1


def test_a_post_that_may_have_created_something_is_not_repeated() -> None:
    with scripted_server() as script:
        script.add(503)
        script.add(429, Retry_After="1")
        script.add(200)
        script.add(503)
        script.add(200)
        http, _ = session()
        with pytest.raises(LookerRequestError) as caught:
            http.post(f"{script.url}/api/4.0/dashboards", json={"title": "x"})
        assert caught.value.status == 503 and caught.value.attempts == 1
        assert http.post(f"{script.url}/api/4.0/dashboards", json={}).status_code == 200
        assert http.post(f"{script.url}/api/4.0/login", data={"client_id": "i"}).ok
    assert script.seen == [
        "POST /api/4.0/dashboards",
        "POST /api/4.0/dashboards",
        "POST /api/4.0/dashboards",
        "POST /api/4.0/login",
        "POST /api/4.0/login",
    ]


def test_a_delete_whose_repeat_finds_nothing_was_done_by_the_attempt_that_failed() -> None:
    with scripted_server() as script:
        script.add(503)
        script.add(404, b'{"message": "Not found"}')
        script.add(404, b'{"message": "Not found"}')
        http, waits = session()
        response = http.delete(f"{script.url}/api/4.0/dashboard_elements/7")
        assert (response.status_code, response.content, len(waits)) == (204, b"", 1)
        with pytest.raises(LookerRequestError) as caught:  # at once: it was never there
            http.delete(f"{script.url}/api/4.0/dashboard_elements/8")
    assert caught.value.status == 404 and caught.value.attempts == 1
