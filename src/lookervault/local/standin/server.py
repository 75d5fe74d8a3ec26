"""The stand-in as a real HTTP server on loopback, recording every exchange."""

from __future__ import annotations

import json
import secrets
import socket
import threading
import urllib.parse
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

from lookervault.local.standin.api import App, Reply
from lookervault.local.standin.dangling import Dangling, leave_dangling
from lookervault.local.standin.faults import Faults
from lookervault.local.standin.profiles import (
    ANSWERS,
    DEFAULT_RELEASES,
    TAB_KEYS_FOLLOW_RELEASE,
    Profile,
    answers_for,
)
from lookervault.local.standin.seed import SeedSize, generate
from lookervault.local.standin.seed_parts import add_parts
from lookervault.local.standin.shapes import Json
from lookervault.local.standin.store import Delivery, Store
from lookervault.local.standin.store.tables import BoardGrant


@dataclass(frozen=True)
class Exchange:
    """One request and its response, as they crossed the wire."""

    method: str
    path: str
    query: str
    request_headers: dict[str, str]
    request_body: bytes
    status: int | None
    """None: the connection was dropped without an answer (fault "drop...")."""
    response_headers: dict[str, str]
    response_body: bytes
    fault: str | None
    """Which fault knob produced this answer ("rate_limit", "fail_page", "fail_request",
    "error_rate", "drop", or one of the last three with "_after_write": the request was
    handled, its answer replaced)."""

    def json(self) -> Any:
        return json.loads(self.response_body) if self.response_body else None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    standin: StandIn


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def setup(self) -> None:
        """No Nagle: headers and body go out as separate writes, and with keep-alive the
        client's delayed ACK would otherwise add ~40 ms to every answer."""
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PATCH(self) -> None:
        self._handle("PATCH")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def __getattr__(self, name: str) -> Any:
        """Any other method (HEAD, OPTIONS, TRACE, made-up ones) reaches the app too, which
        answers 405 with a JSON body, where http.server would send a 501 HTML page."""
        if name.startswith("do_"):
            return lambda: self._handle(name[3:])
        raise AttributeError(name)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: one line per request would drown test and demo output."""

    def _handle(self, method: str) -> None:
        split = urllib.parse.urlsplit(self.path)
        params = {
            key: values[-1]
            for key, values in urllib.parse.parse_qs(split.query, keep_blank_values=True).items()
        }
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if len(body) < length:  # the client went away mid-request: nobody to answer
            self.close_connection = True
            return
        headers = {key: value for key, value in self.headers.items()}
        standin = self.server.standin
        reply = standin.app.respond(method, split.path, params, headers, body)
        if reply.drop:
            standin.log_exchange(method, split, headers, body, reply, {}, b"")
            self.close_connection = True
            return
        payload = b"" if reply.status == 204 else json.dumps(reply.payload).encode("utf-8")
        out_headers = dict(reply.headers or {})
        if payload:
            out_headers["Content-Type"] = "application/json"
        out_headers["Content-Length"] = str(len(payload))
        # Recorded before the client can see the answer, so a test reading `exchanges` right
        # after a call always finds it.
        standin.log_exchange(method, split, headers, body, reply, out_headers, payload)
        self.send_response(reply.status)
        for key, value in out_headers.items():
            self.send_header(key, value)
        self.end_headers()
        if payload and method != "HEAD":
            self.wfile.write(payload)


class StandIn:
    """A seeded Looker API 4.0 on 127.0.0.1, driven by the real looker_sdk.

    Use as a context manager or call start()/stop(). Point LOOKERSDK_BASE_URL at `base_url`
    and log in with `client_id` / `client_secret`.

    `profile` says which plausible answer it gives where Looker's is unconfirmed (profiles.py):
    "lenient" (the default), "strict" (the other answer) or "core" (Looker, Google Cloud core).
    """

    def __init__(
        self,
        seed: SeedSize | None = None,
        faults: Faults | None = None,
        seed_value: int = 0,
        *,
        port: int = 0,
        record: bool = True,
        token_ttl_s: int = 3600,
        client_id: str | None = None,
        client_secret: str | None = None,
        host_url: str | None = None,
        settings_readable: bool = True,
        max_concurrent_requests: int | None = None,
        profile: Profile = "lenient",
        release: str | None = None,
        dangling: bool = False,
        custom_themes: bool = True,
        pending: bool = False,
        tabs_follow_release: bool = TAB_KEYS_FOLLOW_RELEASE,
    ) -> None:
        """`host_url`: the URL the instance is configured with (GET /setting), by default its
        own `base_url`. `settings_readable=False` answers GET /setting with 403, as for
        credentials without admin rights. `max_concurrent_requests`: how many requests are
        handled at once (None: no limit); the others wait their turn. `release`: the Looker
        release it is (GET /versions; by default the profile's, releases.py says what
        differs). `dangling`: the seed also holds references to things deleted since
        (dangling.py; `dangling()` says which), and its folders' access is drawn top-down,
        as a real Looker keeps it. The parts `seed` turns on are added last (seed_parts.py).
        `custom_themes=False`: the instance's licence has no custom themes (theme writes
        answer 403). `pending`: strict also gives the answers a restore does not cope with
        yet (profiles.PENDING). `tabs_follow_release`: layouts below 25.18 leave out a tab's
        `label` and `order`, as those releases do (off: always shown, as before)."""
        if profile not in ANSWERS:
            raise ValueError(f"unknown profile {profile!r}: one of {', '.join(ANSWERS)}")
        self.profile: Profile = profile
        self.seed = seed or SeedSize()
        self.faults = faults or Faults()
        self.recording = record
        self.client_id = client_id or f"standin-{seed_value}"
        self.client_secret = client_secret or secrets.token_urlsafe(24)
        self._port = port
        self._host_url = host_url
        answers = answers_for(profile, pending=pending)
        # An instance that has lived a while (`dangling`) was made by a real Looker, which keeps
        # a subfolder's access within its parent's: drawn so, whatever the profile.
        top_down = dangling or not answers.access_in_any_order
        seeded = generate(self.seed, seed_value, access_top_down=top_down)
        self._dangling: Dangling = leave_dangling(seeded, seed_value) if dangling else {}
        add_parts(seeded, self.seed, seed_value)
        release = release or DEFAULT_RELEASES[profile]
        self._store = Store(seeded, answers, release, tabs_follow_release=tabs_follow_release)
        self.app = App(
            self._store,
            self.faults,
            self.client_id,
            self.client_secret,
            token_ttl_s,
            lambda: self.base_url,
            host_url=lambda: self.host_url,
            release=release,
            settings_readable=settings_readable,
            max_concurrent_requests=max_concurrent_requests,
            custom_themes=custom_themes,
        )
        self._exchanges: list[Exchange] = []
        self._counts: dict[str, int] = {}
        self._lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> StandIn:
        server = _Server(("127.0.0.1", self._port), _Handler)
        server.standin = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="looker-standin"
        )
        self._thread.daemon = True
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def __enter__(self) -> StandIn:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("The stand-in is not running: call start() first")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def host_url(self) -> str:
        """The instance's configured URL: the one given, else the stand-in's own."""
        return self._host_url or self.base_url

    def counts(self) -> dict[str, int]:
        """Ground truth per content type, soft-deleted dashboards and looks included."""
        return self._store.counts()

    def items(self, type_name: str) -> list[Json]:
        """Ground truth objects of a type (content or internal: queries, group values)."""
        return self._store.items(type_name)

    def dangling(self) -> Dangling:
        """For tests: what the seed left dangling (empty unless made with `dangling=True`):
        tile ids on a gone look with and without a kept query, the gone looks, departed
        users and their dashboards left in shared folders, plans on gone dashboards and
        those dashboards' ids (dangling.py)."""
        return {kind: list(ids) for kind, ids in self._dangling.items()}

    @property
    def release(self) -> str:
        """The Looker release it is, as GET /versions reports it."""
        return self.app.release

    def index_drift(self) -> list[str]:
        """For tests: the store's indexes that no longer match their tables (none unless a
        write went around one)."""
        return self._store.index_drift()

    @property
    def deliveries(self) -> list[Delivery]:
        """Every event that would have mailed a real person (run once, run_once: true on a
        plan, a password reset email), in order. A restore must leave this empty."""
        with self._lock:
            return list(self._store.deliveries)

    @property
    def board_grants(self) -> list[BoardGrant]:
        """Every access entry made on a board, with the `send_boards_notification_email`
        parameter exactly as sent (None: left out), in order."""
        with self._lock:
            return list(self._store.board_grants)

    def expire_tokens(self) -> None:
        """Expire every access token issued so far: the next call with one gets 401."""
        self.app.tokens.expire_all()

    @property
    def exchanges(self) -> list[Exchange]:
        with self._lock:
            return list(self._exchanges)

    def clear_exchanges(self) -> None:
        with self._lock:
            self._exchanges.clear()

    def request_count(self, path_prefix: str | None = None) -> int:
        """Requests received (recorded or not) whose path, full or API-relative, has the prefix."""
        with self._lock:
            counts = dict(self._counts)
        if path_prefix is None:
            return sum(counts.values())
        return sum(
            n
            for path, n in counts.items()
            if path.startswith(path_prefix) or path.removeprefix("/api/4.0").startswith(path_prefix)
        )

    def log_exchange(
        self,
        method: str,
        split: urllib.parse.SplitResult,
        headers: dict[str, str],
        body: bytes,
        reply: Reply,
        out_headers: dict[str, str],
        payload: bytes,
    ) -> None:
        with self._lock:
            self._counts[split.path] = self._counts.get(split.path, 0) + 1
            if not self.recording:
                return
            self._exchanges.append(
                Exchange(
                    method=method,
                    path=split.path,
                    query=split.query,
                    request_headers=headers,
                    request_body=body,
                    status=None if reply.drop else reply.status,
                    response_headers=out_headers,
                    response_body=payload,
                    fault=reply.fault,
                )
            )
