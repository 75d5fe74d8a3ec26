"""The looker_sdk client, with the retries and rate limit the SDK lacks.

The hook is the `requests.Session` that `RequestsTransport` sends through: `RetryingSession.send`
spaces requests (client-side rate limit), retries 429 and 5xx with exponential backoff and full
jitter (honouring `Retry-After`, which also pauses every other worker), and turns any final
non-2xx answer into `LookerRequestError` carrying the HTTP status. The SDK's own error path is
never reached, so it never calls out to Looker's documentation site either. Nothing here logs
request bodies: the login body carries the client secret.
"""

from __future__ import annotations

import configparser
import email.utils
import json
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

import requests
from looker_sdk.rtl import api_settings, auth_session, requests_transport, serialize
from looker_sdk.sdk import constants
from looker_sdk.sdk.api40.methods import Looker40SDK
from requests.adapters import HTTPAdapter

from lookervault.errors import ConfigError, RuntimeFailure
from lookervault.looker.hosts import looker_host

ENV_PREFIX = "LOOKERSDK"
CREDENTIALS_HINT = (
    "Set LOOKERSDK_BASE_URL, LOOKERSDK_CLIENT_ID and LOOKERSDK_CLIENT_SECRET, "
    "or put base_url, client_id and client_secret in a [Looker] section of looker.ini."
)
RETRYABLE_ERRORS = (
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,
)


class LookerRequestError(Exception):
    """A Looker API call that failed for good: not retryable, or out of retries."""

    def __init__(self, method: str, url: str, status: int | None, detail: str, attempts: int):
        self.method = method
        self.path = urlsplit(url).path
        self.status = status
        self.detail = detail
        self.attempts = attempts
        what = f"HTTP {status}" if status is not None else "no answer"
        tries = f" after {attempts} attempts" if attempts > 1 else ""
        super().__init__(f"{method} {self.path}: {what}{tries}: {detail}")


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded retries: attempt n waits U(0, min(max_delay, base * 2**(n-1))) or Retry-After."""

    max_attempts: int = 6
    base_delay_s: float = 0.5
    max_delay_s: float = 30.0
    max_retry_after_s: float = 120.0

    def delay(self, attempt: int, retry_after: float | None, rng: random.Random) -> float:
        ceiling = min(self.max_delay_s, self.base_delay_s * 2 ** (attempt - 1))
        if retry_after is not None:
            return min(retry_after, self.max_retry_after_s) + rng.uniform(0, self.base_delay_s)
        return rng.uniform(0, ceiling)


class RateLimiter:
    """At most `per_second` request starts across all threads; a 429 pauses every thread."""

    def __init__(
        self,
        per_second: float | None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._interval = 1.0 / per_second if per_second else 0.0
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._next_slot = 0.0
        self._paused_until = 0.0

    def acquire(self) -> None:
        with self._lock:
            now = self._clock()
            slot = max(now, self._next_slot, self._paused_until)
            self._next_slot = slot + self._interval
        if slot > now:
            self._sleep(slot - now)

    def pause(self, seconds: float) -> None:
        with self._lock:
            self._paused_until = max(self._paused_until, self._clock() + seconds)


@dataclass
class Stats:
    """Request counters, shared by the worker threads."""

    requests: int = 0
    retries: int = 0
    throttled: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, *, requests: int = 0, retries: int = 0, throttled: int = 0) -> None:
        with self._lock:
            self.requests += requests
            self.retries += retries
            self.throttled += throttled


class RetryingSession(requests.Session):
    """A requests session that rate-limits, retries and raises `LookerRequestError`.

    Retried: 429 for every request; 5xx, timeouts and connection failures only for requests
    safe to repeat (all but POST, login excepted), so a later restore never creates twice. A
    DELETE that a repeat answers 404 is done: the attempt that failed had deleted it.
    """

    def __init__(
        self,
        policy: RetryPolicy,
        limiter: RateLimiter,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__()
        self.policy = policy
        self.limiter = limiter
        self.stats = Stats()
        self._sleep = sleep
        self._rng = random.Random()

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        method, url = request.method or "GET", request.url or ""
        for attempt in range(1, self.policy.max_attempts + 1):
            self.limiter.acquire()
            self.stats.add(requests=1)
            status: int | None = None
            retry_after: float | None = None
            try:
                response = super().send(request, **kwargs)
            except RETRYABLE_ERRORS as exc:
                detail = type(exc).__name__
                if not _may_repeat(method, url):
                    raise LookerRequestError(method, url, status, detail, attempt) from exc
            else:
                status = response.status_code
                if status < 400:
                    return response
                if status == 404 and method == "DELETE" and attempt > 1:
                    return _deleted(response)
                detail = _error_message(response)
                if status != 429 and (status < 500 or not _may_repeat(method, url)):
                    raise LookerRequestError(method, url, status, detail, attempt)
                retry_after = parse_retry_after(response.headers.get("Retry-After"))
                if status == 429:
                    self.stats.add(throttled=1)
                    if retry_after is not None:
                        self.limiter.pause(retry_after)
            if attempt == self.policy.max_attempts:
                raise LookerRequestError(method, url, status, detail, attempt)
            self.stats.add(retries=1)
            self._sleep(self.policy.delay(attempt, retry_after, self._rng))
        raise AssertionError("unreachable: the loop returns or raises")


def _deleted(response: requests.Response) -> requests.Response:
    """The 204 the first attempt of a DELETE would have had."""
    response.status_code = 204
    response._content = b""
    return response


def transient(exc: LookerRequestError) -> bool:
    """A failure that may pass: no answer (a dropped connection, a timeout), a 5xx or a 429.
    A write that failed so may or may not have happened."""
    return exc.status is None or exc.status == 429 or exc.status >= 500


def _may_repeat(method: str, url: str) -> bool:
    """A POST may have created something before failing: only login is safe to send again.

    A 429 is refused before any work, so it is retried whatever the method.
    """
    return method != "POST" or urlsplit(url).path.endswith("/login")


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or HTTP date); None if absent or bad."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _error_message(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200] or response.reason or "error"
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        return str(body["message"])
    return response.text[:200]


def load_settings(
    config_file: str = "looker.ini", section: str | None = None, *, environment: bool = True
) -> api_settings.ApiSettings:
    """SDK settings from `LOOKERSDK_*` over looker.ini (without `environment`: the file alone,
    for a file the user named to reach another instance); exit 2 naming both when incomplete."""
    try:
        settings = api_settings.ApiSettings(
            filename=config_file,
            section=section,
            sdk_version=constants.sdk_version,
            env_prefix=ENV_PREFIX if environment else None,
        )
        config = settings.read_config()
    except FileNotFoundError as exc:
        raise ConfigError(
            f"Looker config file {config_file} does not exist.", CREDENTIALS_HINT
        ) from exc
    except (configparser.Error, IndexError, TypeError, ValueError) as exc:
        raise ConfigError(f"Cannot read Looker settings: {exc}", CREDENTIALS_HINT) from exc
    missing = [key for key in ("base_url", "client_id", "client_secret") if not config.get(key)]
    if missing:
        raise ConfigError(
            "Looker connection settings are incomplete: missing " + ", ".join(missing) + ".",
            CREDENTIALS_HINT,
        )
    base_url = str(config.get("base_url"))
    if urlsplit(base_url).scheme not in ("https", "http"):
        raise ConfigError(
            f"The Looker base URL {base_url!r} has no https:// (or http://) in front.",
            f"Set LOOKERSDK_BASE_URL (or base_url in looker.ini) to e.g. https://{base_url}.",
        )
    return settings


@dataclass
class LookerClient:
    """The SDK plus the session underneath it, and the host we may record (no credentials)."""

    sdk: Looker40SDK
    session: RetryingSession
    host: str
    versions: dict[str, Any] | None = None
    """What `/versions` answered, once `release_version` asked."""
    api_url: str = ""
    """`base_url/api/4.0`: where `send_as` sends."""
    verify_ssl: bool = True
    timeout_s: int = 120

    def get_json(self, path: str, params: Mapping[str, str] | None = None) -> Any:
        """GET an API path through the SDK (auth, transport) and return Looker's JSON as is."""
        raw = self.sdk.get(path, structure=str, query_params=dict(params or {}))
        if isinstance(raw, bytes):
            raw = raw.decode("utf-8")
        if not isinstance(raw, str):
            raise TypeError(f"GET {path}: expected a JSON body, got {type(raw).__name__}")
        return json.loads(raw) if raw else None

    def send_json(self, method: str, path: str, body: Any = None) -> Any:
        """POST, PATCH, PUT or DELETE a JSON body through the SDK and return Looker's JSON.

        The body is sent as written, so a null clears a field (the SDK's models drop nulls).
        """
        payload = None if body is None else json.dumps(body, ensure_ascii=False)
        if method == "DELETE":
            raw = self.sdk.delete(path, structure=str)
        else:
            send = {"POST": self.sdk.post, "PATCH": self.sdk.patch, "PUT": self.sdk.put}[method]
            raw = send(path, structure=str, body=payload)
        if isinstance(raw, bytes):
            raw = raw.decode("utf-8")
        return json.loads(raw) if isinstance(raw, str) and raw else None

    def send_as(self, token: str, method: str, path: str, body: Any = None) -> Any:
        """A request made as another user, with the access token `login_user` gave for them
        (the SDK's own session stays the API user's, for every other thread)."""
        response = self.session.request(
            method,
            self.api_url + path,
            json=body,
            headers={"Authorization": f"Bearer {token}"},
            timeout=self.timeout_s,
            verify=self.verify_ssl,
        )
        return response.json() if response.content else None


def api_path(template: str, item_id: str) -> str:
    return template.replace("{id}", quote(item_id, safe=""))


def connect(
    settings: api_settings.ApiSettings,
    *,
    pool_size: int = 10,
    retry: RetryPolicy | None = None,
    rate_limit_per_s: float | None = None,
) -> LookerClient:
    """Build a `Looker40SDK` like `looker_sdk.init40` does, over a `RetryingSession`."""
    session = RetryingSession(retry or RetryPolicy(), RateLimiter(rate_limit_per_s))
    adapter = HTTPAdapter(pool_connections=1, pool_maxsize=max(pool_size, 1))
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    transport = requests_transport.RequestsTransport(settings, session)
    sdk = Looker40SDK(
        auth_session.AuthSession(settings, transport, serialize.deserialize40, "4.0"),
        serialize.deserialize40,
        serialize.serialize40,
        transport,
        "4.0",
    )
    return LookerClient(
        sdk=sdk,
        session=session,
        host=looker_host(settings.base_url),
        api_url=f"{settings.base_url.rstrip('/')}/api/4.0",
        verify_ssl=settings.verify_ssl,
        timeout_s=settings.timeout,
    )


def release_version(client: LookerClient) -> str:
    """Log in and read the release version: bad credentials or no Looker fail here, early."""
    try:
        versions = client.get_json("/versions")
    except LookerRequestError as exc:
        if exc.path.endswith("/login") and exc.status is not None and exc.status < 500:
            raise ConfigError(
                f"Looker at {client.host} rejected the client id and secret (HTTP {exc.status}).",
                CREDENTIALS_HINT,
            ) from exc
        raise RuntimeFailure(
            f"Cannot reach Looker at {client.host}: {exc}",
            "Check LOOKERSDK_BASE_URL (or base_url in looker.ini) and the network.",
        ) from exc
    if not isinstance(versions, dict):
        return "unknown"
    client.versions = versions
    return str(versions.get("looker_release_version") or "unknown")
