"""A fault-injecting HTTP reverse proxy between the google-cloud-storage client and the emulator.

Integration tests must show that LookerVault survives what real GCS does to it (503s, dropped
connections, a corrupted byte) without mocking the client. The client talks HTTP to this proxy
(STORAGE_EMULATOR_HOST points here), the proxy forwards to fake-gcs-server, records every
request, and misbehaves on the requests a test chose. Bodies stream in 1 MiB pieces, so
transfers of hundreds of megabytes pass through in bounded memory.

It also closes a gap of fake-gcs-server: it checks a resumable upload's `ifGenerationMatch=0`
when the session starts, not when the object is committed, so concurrent uploads to one name
all "succeed" and overwrite each other. Real Cloud Storage checks at the commit. The proxy
does the same: the final request of a create-only session is answered 412 when the object
exists by then, and commits to one name go through one at a time.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import re
import socket
import struct
import sys
import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Literal
from urllib.parse import parse_qsl, quote, urlsplit

import pytest

from tests.support.gcs_emulator import Emulator

CHUNK = 1 << 20
RECORDED_HEADERS = (
    "content-length",
    "content-range",
    "content-type",
    "range",
    "transfer-encoding",
    "x-goog-hash",
)
# Not forwarded: they describe one connection, not the message (RFC 9110 7.6.1), and the proxy
# answers `Expect: 100-continue` itself.
HOP_BY_HOP = frozenset(
    {
        "connection",
        "expect",
        "host",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)
JSON_REWRITE_LIMIT = 16 * CHUNK
ORIGIN = re.compile(r"^https?://[^/]+")
JSON_LINK = re.compile(rb'("(?:mediaLink|selfLink)"\s*:\s*")https?://[^/"]+')
UPSTREAM_TIMEOUT_S = 120.0
HOLD_LIMIT_S = 60.0

Side = Literal["request", "response"]
Kind = Literal["status", "reset", "flip", "hold"]


@dataclass
class Record:
    """One request as the proxy saw it. `status` stays None when the proxy cut the connection
    before answering; byte counts are body payload bytes (chunked framing excluded)."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    client_port: int
    status: int | None = None
    fault: Kind | None = None
    request_bytes: int = 0
    response_bytes: int = 0


@dataclass(frozen=True)
class Match:
    """Which requests a fault or a count applies to. `path_regex` is searched in the raw path
    (object names stay percent-encoded, so `[^/]+` spans a whole name); `query` is a key that
    must be present (`upload_id`) or a `key=value` pair (`alt=media`)."""

    method: str | None = None
    path_regex: str | None = None
    query: str | None = None

    def __call__(self, method: str, path: str, query: dict[str, str]) -> bool:
        if self.method is not None and method != self.method.upper():
            return False
        if self.path_regex is not None and re.search(self.path_regex, path) is None:
            return False
        if self.query is None:
            return True
        key, has_value, value = self.query.partition("=")
        return key in query and (not has_value or query[key] == value)


@dataclass
class Fault:
    """A misbehaviour for the next `remaining` matching requests.

    `side` None means the request body when the request has one, else the response body.
    `offset` is the body byte to flip, or how many body bytes pass before the cut; None means
    the middle of the body (the start when its length is unknown)."""

    kind: Kind
    match: Match
    remaining: int
    status: int = 503
    side: Side | None = None
    offset: int | None = None
    drop_after_hold: bool = False
    held: threading.Event = field(default_factory=threading.Event)
    released: threading.Event = field(default_factory=threading.Event)
    arrivals: threading.Semaphore = field(default_factory=lambda: threading.Semaphore(0))
    """Released once per held request: acquire it N times to wait until N are waiting."""


class FaultProxy:
    """The proxy: start() binds a free loopback port and serves from a background thread."""

    def __init__(self, upstream_url: str) -> None:
        upstream = urlsplit(upstream_url)
        if upstream.scheme != "http" or upstream.hostname is None:
            raise ValueError(f"fault proxy needs an http:// upstream, got {upstream_url!r}")
        self.upstream_host = upstream.hostname
        self.upstream_port = upstream.port or 80
        self.upstream_netloc = upstream.netloc
        self._lock = threading.Lock()
        self._records: list[Record] = []
        self._faults: list[Fault] = []
        self._name_locks: dict[str, threading.Lock] = {}
        self._create_only: set[str] = set()
        self._created: dict[str, str] = {}
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """Where clients reach the proxy, e.g. http://127.0.0.1:PORT."""
        if self._server is None:
            raise RuntimeError("fault proxy is not running: call start() first")
        return self._server.url

    def start(self) -> FaultProxy:
        self._server = _Server(self)
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="fault-proxy", kwargs={"poll_interval": 0.05}
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop accepting, cut idle keep-alive connections, and join every thread."""
        if self._server is None or self._thread is None:
            return
        with self._lock:
            for fault in self._faults:
                fault.released.set()
        self._server.shutdown()
        self._server.close_open_connections()
        self._server.server_close()
        self._thread.join()
        self._server = None
        self._thread = None

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def reset(self) -> None:
        """Forget every pending fault and every record."""
        with self._lock:
            self._records.clear()
            self._faults.clear()

    @property
    def records(self) -> list[Record]:
        with self._lock:
            return list(self._records)

    def matching(
        self, *, method: str | None = None, path_regex: str | None = None, query: str | None = None
    ) -> list[Record]:
        match = Match(method, path_regex, query)
        return [r for r in self.records if match(r.method, r.path, r.query)]

    def count(
        self, *, method: str | None = None, path_regex: str | None = None, query: str | None = None
    ) -> int:
        return len(self.matching(method=method, path_regex=path_regex, query=query))

    def fail(
        self,
        status: int = 503,
        *,
        times: int = 1,
        method: str | None = None,
        path_regex: str | None = None,
        query: str | None = None,
    ) -> Fault:
        """Answer `status` without forwarding (the request body is read and dropped)."""
        return self._add(Fault("status", Match(method, path_regex, query), times, status=status))

    def reset_connection(
        self,
        *,
        times: int = 1,
        method: str | None = None,
        path_regex: str | None = None,
        query: str | None = None,
        side: Side | None = None,
        offset: int | None = None,
    ) -> Fault:
        """Cut the connection with a TCP RST after `offset` body bytes: of the request body
        (nothing is forwarded), or of the response body (after status and headers)."""
        fault = Fault("reset", Match(method, path_regex, query), times, side=side, offset=offset)
        return self._add(fault)

    def flip_byte(
        self,
        *,
        times: int = 1,
        method: str | None = None,
        path_regex: str | None = None,
        query: str | None = None,
        side: Side | None = None,
        offset: int | None = None,
    ) -> Fault:
        """Invert the bits of one body byte and forward everything else unchanged."""
        fault = Fault("flip", Match(method, path_regex, query), times, side=side, offset=offset)
        return self._add(fault)

    def hold(
        self,
        *,
        times: int = 1,
        method: str | None = None,
        path_regex: str | None = None,
        query: str | None = None,
        then_drop: bool = False,
    ) -> Fault:
        """Keep matching requests waiting before they are forwarded: `fault.held` is set when
        one arrives. Once the test sets `fault.released` the request goes on unchanged, or with
        `then_drop` the connection is cut without forwarding anything (the sender died)."""
        fault = Fault("hold", Match(method, path_regex, query), times, drop_after_hold=then_drop)
        return self._add(fault)

    def backdate(self, created: Mapping[str, datetime]) -> None:
        """Report these objects' creation times as given in every metadata answer.

        fake-gcs-server stamps `timeCreated` with the upload time and takes no other, so this
        is how a test holds snapshots of chosen ages (what real GCS reports after days).
        """
        stamps = {
            name: moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
            for name, moment in created.items()
        }
        with self._lock:
            self._created.update(stamps)

    def _backdated(self, payload: bytes) -> bytes:
        with self._lock:
            created = dict(self._created)
        if not created:
            return payload
        document = json.loads(payload)
        for item in (
            [document, *(document.get("items") or [])] if isinstance(document, dict) else []
        ):
            if isinstance(item, dict) and item.get("name") in created:
                item["timeCreated"] = created[item["name"]]
        return json.dumps(document).encode()

    def _add(self, fault: Fault) -> Fault:
        if fault.remaining < 1:
            raise ValueError("a fault needs times >= 1")
        with self._lock:
            self._faults.append(fault)
        return fault

    def _commit_lock(self, record: Record) -> threading.Lock | contextlib.nullcontext[None]:
        """One lock per object name for the data requests of its resumable uploads (the
        emulator's upload URLs carry the object name next to the upload id)."""
        name = record.query.get("name")
        if record.method != "PUT" or "upload_id" not in record.query or name is None:
            return contextlib.nullcontext()
        with self._lock:
            return self._name_locks.setdefault(name, threading.Lock())

    def _remember_session(self, record: Record, location: str | None) -> None:
        """Note the upload id of a create-only resumable session (from its Location)."""
        if record.query.get("uploadType") != "resumable":
            return
        if record.query.get("ifGenerationMatch") != "0":
            return
        upload_id = dict(parse_qsl(urlsplit(location or "").query)).get("upload_id")
        if upload_id:
            with self._lock:
                self._create_only.add(upload_id)

    def _taken_at_commit(self, record: Record) -> bool:
        """The final request of a create-only session whose object exists by now."""
        with self._lock:
            create_only = record.query.get("upload_id") in self._create_only
        final = not record.headers.get("content-range", "*").endswith("/*")
        bucket = re.search(r"/b/([^/]+)/o", record.path)
        if not (create_only and final and bucket and record.query.get("name")):
            return False
        name = quote(record.query["name"], safe="")
        upstream = http.client.HTTPConnection(
            self.upstream_host, self.upstream_port, timeout=UPSTREAM_TIMEOUT_S
        )
        try:
            upstream.request("GET", f"/storage/v1/b/{bucket.group(1)}/o/{name}?fields=name")
            response = upstream.getresponse()
            response.read()
            return response.status == 200
        finally:
            upstream.close()

    def _admit(self, record: Record) -> Fault | None:
        """Record the request and consume the first pending fault that matches it."""
        with self._lock:
            self._records.append(record)
            for fault in self._faults:
                if fault.remaining > 0 and fault.match(record.method, record.path, record.query):
                    fault.remaining -= 1
                    record.fault = fault.kind
                    return fault
        return None


class _Server(ThreadingHTTPServer):
    daemon_threads = False
    block_on_close = True

    def __init__(self, proxy: FaultProxy) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.proxy = proxy
        self.url = f"http://127.0.0.1:{self.server_address[1]}"
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
            super().shutdown_request(request)

    def close_open_connections(self) -> None:
        """Wake handlers waiting for the next request on a keep-alive connection."""
        with self._open_lock:
            for sock in self._open:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up is normal in fault tests; anything else is a proxy bug."""
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = UPSTREAM_TIMEOUT_S
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the records are the log."""

    def _proxy(self) -> None:
        proxy = self.server.proxy
        split = urlsplit(self.path)
        record = Record(
            method=self.command,
            path=split.path,
            query=dict(parse_qsl(split.query, keep_blank_values=True)),
            headers={k: v for k in RECORDED_HEADERS if (v := self.headers.get(k)) is not None},
            client_port=self.client_address[1],
        )
        fault = proxy._admit(record)
        if fault is not None and fault.kind == "hold":
            fault.held.set()
            fault.arrivals.release()
            fault.released.wait(timeout=HOLD_LIMIT_S)
            if fault.drop_after_hold:
                self._abort()
                return
            fault = None
        chunked = "chunked" in self.headers.get("Transfer-Encoding", "").lower()
        length = None if chunked else int(self.headers.get("Content-Length") or 0)
        side = None
        if fault is not None:
            side = fault.side or ("request" if chunked or length else "response")
        at = _position(fault.offset if fault else None, length)
        cut_request = fault is not None and fault.kind == "reset" and side == "request"
        body = _counted(
            self._request_body(length, limit=at if cut_request else None), record, "request_bytes"
        )
        if fault is not None and (fault.kind == "status" or cut_request):
            for _ in body:
                pass
            if cut_request:
                self._abort()
            else:
                self._answer_error(record, fault.status, "fault injected by the test proxy")
            return
        if fault is not None and fault.kind == "flip" and side == "request":
            body = _flip(body, at)
        # A fresh upstream connection per request: a reused one may have gone stale, and a
        # request body already streamed cannot be replayed on another.
        upstream = http.client.HTTPConnection(
            proxy.upstream_host, proxy.upstream_port, timeout=UPSTREAM_TIMEOUT_S
        )
        try:
            with proxy._commit_lock(record):
                if proxy._taken_at_commit(record):
                    for _ in body:
                        pass
                    self._answer_error(record, 412, "conditionNotMet: the object exists")
                    return
                try:
                    response = self._forward(upstream, body, chunked)
                except (OSError, http.client.HTTPException) as error:
                    self.close_connection = True
                    self._answer_error(
                        record, 502, f"fault proxy could not reach emulator: {error}"
                    )
                    return
                proxy._remember_session(record, response.getheader("Location"))
                self._relay(response, record, fault if side == "response" else None)
        finally:
            upstream.close()

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _proxy

    def _request_body(self, length: int | None, limit: int | None = None) -> Iterator[bytes]:
        """The request's payload in pieces of at most CHUNK, chunked framing removed; with
        `limit`, nothing past that many bytes is read from the socket."""
        budget = sys.maxsize if limit is None else limit
        for size in self._chunk_sizes() if length is None else [length]:
            while size > 0 and budget > 0:
                piece = self.rfile.read(min(size, budget, CHUNK))
                if not piece:
                    raise ConnectionError("client closed the connection mid-body")
                size -= len(piece)
                budget -= len(piece)
                yield piece
            if budget == 0:
                return

    def _chunk_sizes(self) -> Iterator[int]:
        """Sizes of a chunked body's chunks; resuming it after one skips that chunk's CRLF."""
        while size := int(self.rfile.readline(1024).split(b";")[0], 16):
            yield size
            self.rfile.readline(1024)
        while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
            pass

    def _forward(
        self, upstream: http.client.HTTPConnection, body: Iterable[bytes], chunked: bool
    ) -> http.client.HTTPResponse:
        proxy = self.server.proxy
        upstream.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
        upstream.putheader("Host", proxy.upstream_netloc)
        for key, value in self.headers.items():
            if key.lower() not in HOP_BY_HOP:
                upstream.putheader(key, value)
        if chunked:
            upstream.putheader("Transfer-Encoding", "chunked")
        upstream.endheaders()
        for piece in body:
            if chunked:
                upstream.send(b"%x\r\n" % len(piece))
                upstream.send(piece)
                upstream.send(b"\r\n")
            else:
                upstream.send(piece)
        if chunked:
            upstream.send(b"0\r\n\r\n")
        return upstream.getresponse()

    def _relay(
        self, response: http.client.HTTPResponse, record: Record, fault: Fault | None
    ) -> None:
        url = self.server.url
        record.status = response.status
        headers = [(k, v) for k, v in response.getheaders() if k.lower() not in HOP_BY_HOP]
        headers = [(k, ORIGIN.sub(url, v) if k.lower() == "location" else v) for k, v in headers]
        has_body = self.command != "HEAD" and response.status not in (204, 304)
        chunks: Iterator[bytes] = iter(lambda: response.read1(CHUNK), b"")
        length = response.length
        if has_body and self._is_metadata(response, record) and (length or 0) <= JSON_REWRITE_LIMIT:
            rewritten = JSON_LINK.sub(rb"\g<1>" + url.encode(), response.read())
            rewritten = self.server.proxy._backdated(rewritten)
            headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
            headers.append(("Content-Length", str(len(rewritten))))
            chunks, length = iter([rewritten]), len(rewritten)
        chunked = has_body and length is None
        if chunked:
            headers.append(("Transfer-Encoding", "chunked"))
        self.send_response_only(response.status, response.reason)
        for key, value in headers:
            self.send_header(key, value)
        self.end_headers()
        if not has_body:
            return
        at = _position(fault.offset if fault else None, length)
        if fault is not None and fault.kind == "flip":
            chunks = _flip(chunks, at)
        if fault is not None and fault.kind == "reset":
            chunks = _cut(chunks, at)
        for piece in _counted(chunks, record, "response_bytes"):
            if chunked:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            else:
                self.wfile.write(piece)
        if fault is not None and fault.kind == "reset":
            self._abort()
        elif chunked:
            self.wfile.write(b"0\r\n\r\n")

    @staticmethod
    def _is_metadata(response: http.client.HTTPResponse, record: Record) -> bool:
        """JSON API answers carry links to rewrite; object media is never touched."""
        return (
            (response.getheader("Content-Type") or "").startswith("application/json")
            and response.getheader("Content-Encoding") is None
            and record.query.get("alt") != "media"
            and not record.path.startswith("/download/")
        )

    def _answer_error(self, record: Record, status: int, message: str) -> None:
        record.status = status
        payload = json.dumps({"error": {"code": status, "message": message}}).encode()
        self.send_response_only(status)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _abort(self) -> None:
        """Close with SO_LINGER 0 so the client sees a TCP RST, not an orderly end."""
        self.close_connection = True
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.rfile.close()
        self.connection.close()


def _position(offset: int | None, length: int | None) -> int:
    if offset is not None:
        return offset
    return (length or 0) // 2


def _counted(pieces: Iterable[bytes], record: Record, attribute: str) -> Iterator[bytes]:
    """Count before yielding, so a record is complete by the time its bytes reach the peer."""
    for piece in pieces:
        setattr(record, attribute, getattr(record, attribute) + len(piece))
        yield piece


def _cut(pieces: Iterable[bytes], at: int) -> Iterator[bytes]:
    """Yield the first `at` bytes of the stream, then stop."""
    passed = 0
    for piece in pieces:
        if passed + len(piece) >= at:
            if at > passed:
                yield piece[: at - passed]
            return
        passed += len(piece)
        yield piece


def _flip(pieces: Iterable[bytes], at: int) -> Iterator[bytes]:
    """Yield the stream with the bits of byte `at` inverted (unchanged if it is shorter)."""
    passed = 0
    for piece in pieces:
        if passed <= at < passed + len(piece):
            changed = bytearray(piece)
            changed[at - passed] ^= 0xFF
            piece = bytes(changed)
        passed += len(piece)
        yield piece


@pytest.fixture
def fault_proxy(emulator_env: Emulator, monkeypatch: pytest.MonkeyPatch) -> Iterator[FaultProxy]:
    """A running proxy in front of the emulator, with STORAGE_EMULATOR_HOST pointing at it.

    Depends on `emulator_env` so the proxy's setting always wins over it, whatever order a
    test lists its fixtures in; clients created before this fixture talk to the emulator
    directly, handy for setting up data a test should not count."""
    with FaultProxy(emulator_env.url) as proxy:
        monkeypatch.setenv("STORAGE_EMULATOR_HOST", proxy.url)
        monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", "test-project")
        yield proxy
