"""The API 4.0 surface: authentication, faults, then routing to the store.

`App.respond` turns one HTTP request into one reply; the HTTP server around it only moves bytes.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from lookervault.local.standin.faults import Faults
from lookervault.local.standin.query import QueryError
from lookervault.local.standin.store import CHILDREN, Store
from lookervault.local.standin.wire import ApiError, not_found

API_PREFIX = "/api/4.0"
LOOKER_RELEASE = "25.20.17"

SEARCHABLE = frozenset(
    {"dashboards", "looks", "folders", "boards", "users", "groups", "roles"}
    | {"permission_sets", "model_sets", "alerts"}
)
LISTABLE = frozenset(
    {"dashboards", "looks", "folders", "boards", "users", "groups", "roles"}
    | {"permission_sets", "model_sets", "user_attributes", "scheduled_plans", "lookml_models"}
)
WRITABLE = frozenset(LISTABLE | {"alerts", "queries"})


@dataclass
class Reply:
    status: int
    payload: Any = None
    headers: dict[str, str] | None = None
    fault: str | None = None


class Tokens:
    """Access tokens issued by /login: token -> (user id, expiry on the monotonic clock)."""

    def __init__(self, ttl_s: int) -> None:
        self.ttl_s = ttl_s
        self._tokens: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()

    def issue(self, user_id: str) -> str:
        token = secrets.token_urlsafe(30)
        with self._lock:
            self._tokens[token] = (user_id, time.monotonic() + self.ttl_s)
        return token

    def user_for(self, authorization: str | None) -> str | None:
        """The caller's user id for an `Authorization: Bearer|token <t>` header, if valid."""
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() not in ("bearer", "token"):
            return None
        with self._lock:
            entry = self._tokens.get(token.strip())
        if entry is None or entry[1] <= time.monotonic():
            return None
        return entry[0]

    def revoke(self, authorization: str | None) -> None:
        token = (authorization or "").partition(" ")[2].strip()
        with self._lock:
            self._tokens.pop(token, None)

    def expire_all(self) -> None:
        """Every token issued so far is now expired (as if its lifetime had passed)."""
        with self._lock:
            self._tokens = {t: (user, 0.0) for t, (user, _) in self._tokens.items()}


Handler = Callable[["Call"], Reply]


@dataclass
class Call:
    """One authenticated API call after routing."""

    method: str
    params: Mapping[str, str]
    body: bytes
    caller_id: str
    match: re.Match[str]

    def json_body(self) -> Any:
        if not self.body:
            return None
        try:
            return json.loads(self.body)
        except json.JSONDecodeError as exc:
            raise ApiError(400, f"Request body is not valid JSON: {exc.msg}") from exc


class App:
    """Looker API 4.0 semantics over a store, with fault injection in front."""

    def __init__(
        self,
        store: Store,
        faults: Faults,
        client_id: str,
        client_secret: str,
        token_ttl_s: int,
        base_url: Callable[[], str],
    ) -> None:
        self.store = store
        self.faults = faults
        self.client_id = client_id
        self.client_secret = client_secret
        self.tokens = Tokens(token_ttl_s)
        self.api_user_id = "1"
        self._base_url = base_url
        self._routes = self._build_routes()

    def respond(
        self,
        method: str,
        path: str,
        params: Mapping[str, str],
        headers: Mapping[str, str],
        body: bytes,
    ) -> Reply:
        latency = self.faults.latency_s
        if latency > 0:
            time.sleep(latency)
        limited = self.faults.rate_limited()
        if limited is not None:
            retry = {"Retry-After": str(limited.retry_after_s)}
            return _error(ApiError(429, "Too many requests", headers=retry), limited.kind)
        try:
            return self._respond(method, path, params, headers, body)
        except ApiError as exc:
            return _error(exc)
        except QueryError as exc:
            return _error(ApiError(400, str(exc)))

    def _respond(
        self,
        method: str,
        path: str,
        params: Mapping[str, str],
        headers: Mapping[str, str],
        body: bytes,
    ) -> Reply:
        if path == "/api/logout" or path == f"{API_PREFIX}/logout":
            if method != "DELETE":
                raise not_found()
            self.tokens.revoke(headers.get("Authorization"))
            return Reply(204)
        if not path.startswith(API_PREFIX + "/"):
            raise not_found()
        relative = path[len(API_PREFIX) :]
        if relative == "/login" and method == "POST":
            return self._login(params, body)
        if relative == "/versions" and method == "GET":
            return Reply(200, self._versions())
        caller = self.tokens.user_for(headers.get("Authorization"))
        if caller is None:
            raise ApiError(401, "Requires authentication.")
        injected = self.faults.injected_error(method, relative, params)
        if injected is not None:
            return _error(
                ApiError(injected.status, "Service temporarily unavailable"), injected.kind
            )
        for route_method, pattern, handler in self._routes:
            match = pattern.fullmatch(relative)
            if match is not None and route_method == method:
                return handler(Call(method, params, body, caller, match))
        raise not_found()

    def _login(self, params: Mapping[str, str], body: bytes) -> Reply:
        form = {k: v[-1] for k, v in urllib.parse.parse_qs(body.decode("utf-8")).items()}
        client_id = form.get("client_id", params.get("client_id"))
        client_secret = form.get("client_secret", params.get("client_secret"))
        good_id = secrets.compare_digest(client_id or "", self.client_id)
        good_secret = secrets.compare_digest(client_secret or "", self.client_secret)
        if not (good_id and good_secret):
            raise not_found()
        token = self.tokens.issue(self.api_user_id)
        payload = {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": self.tokens.ttl_s,
            "refresh_token": None,
        }
        return Reply(200, payload)

    def _versions(self) -> dict[str, Any]:
        base = self._base_url()
        current = {
            "version": "4.0",
            "full_version": f"4.0.{LOOKER_RELEASE}",
            "status": "current",
            "swagger_url": f"{base}/api/4.0/swagger.json",
        }
        return {
            "looker_release_version": LOOKER_RELEASE,
            "current_version": current,
            "supported_versions": [current],
            "api_server_url": base,
            "web_server_url": base,
        }

    def _build_routes(self) -> list[tuple[str, re.Pattern[str], Handler]]:
        routes: list[tuple[str, str, Handler]] = [
            ("GET", r"/groups/(?P<id>[^/]+)/users", self._group_users),
            ("POST", r"/groups/(?P<id>[^/]+)/users", self._add_group_user),
            ("DELETE", r"/groups/(?P<id>[^/]+)/users/(?P<user_id>[^/]+)", self._remove_group_user),
            ("GET", r"/user_attributes/(?P<id>[^/]+)/group_values", self._group_values),
            ("POST", r"/user_attributes/(?P<id>[^/]+)/group_values", self._set_group_values),
        ]
        for child_type in sorted(CHILDREN):
            item = f"/{child_type}" + r"/(?P<id>[^/]+)"
            routes += [
                ("POST", f"/{child_type}", self._child_creator(child_type)),
                ("GET", item, self._child_getter(child_type)),
                ("PATCH", item, self._child_updater(child_type)),
                ("DELETE", item, self._child_deleter(child_type)),
            ]
        for type_name in sorted(WRITABLE):
            base = f"/{type_name}"
            item = base + r"/(?P<id>[^/]+)"
            if type_name in SEARCHABLE:
                routes.append(("GET", base + "/search", self._lister(type_name, search=True)))
            if type_name in LISTABLE:
                routes.append(("GET", base, self._lister(type_name, search=False)))
            routes += [
                ("POST", base, self._creator(type_name)),
                ("GET", item, self._getter(type_name)),
                ("PATCH", item, self._updater(type_name)),
                ("DELETE", item, self._deleter(type_name)),
            ]
            if type_name == "alerts":
                routes.append(("PUT", item, self._replacer(type_name)))
        return [(method, re.compile(pattern), handler) for method, pattern, handler in routes]

    def _lister(self, type_name: str, *, search: bool) -> Handler:
        def handle(call: Call) -> Reply:
            found = self.store.search(type_name, call.params, call.caller_id, search=search)
            return Reply(200, found)

        return handle

    def _getter(self, type_name: str) -> Handler:
        def handle(call: Call) -> Reply:
            return Reply(200, self.store.get(type_name, _id(call), call.params.get("fields")))

        return handle

    def _creator(self, type_name: str) -> Handler:
        def handle(call: Call) -> Reply:
            return Reply(200, self.store.create(type_name, call.json_body(), call.caller_id))

        return handle

    def _updater(self, type_name: str) -> Handler:
        def handle(call: Call) -> Reply:
            updated = self.store.update(type_name, _id(call), call.json_body(), call.caller_id)
            return Reply(200, updated)

        return handle

    def _replacer(self, type_name: str) -> Handler:
        def handle(call: Call) -> Reply:
            replaced = self.store.replace(type_name, _id(call), call.json_body(), call.caller_id)
            return Reply(200, replaced)

        return handle

    def _deleter(self, type_name: str) -> Handler:
        def handle(call: Call) -> Reply:
            self.store.delete(type_name, _id(call))
            return Reply(204)

        return handle

    def _child_creator(self, child_type: str) -> Handler:
        def handle(call: Call) -> Reply:
            return Reply(200, self.store.create_child(child_type, call.json_body()))

        return handle

    def _child_getter(self, child_type: str) -> Handler:
        def handle(call: Call) -> Reply:
            return Reply(
                200, self.store.get_child(child_type, _id(call), call.params.get("fields"))
            )

        return handle

    def _child_updater(self, child_type: str) -> Handler:
        def handle(call: Call) -> Reply:
            return Reply(200, self.store.update_child(child_type, _id(call), call.json_body()))

        return handle

    def _child_deleter(self, child_type: str) -> Handler:
        def handle(call: Call) -> Reply:
            self.store.delete_child(child_type, _id(call))
            return Reply(204)

        return handle

    def _group_users(self, call: Call) -> Reply:
        return Reply(200, self.store.group_users(_id(call), call.params))

    def _add_group_user(self, call: Call) -> Reply:
        return Reply(200, self.store.add_group_user(_id(call), call.json_body()))

    def _remove_group_user(self, call: Call) -> Reply:
        self.store.remove_group_user(_id(call), urllib.parse.unquote(call.match["user_id"]))
        return Reply(204)

    def _group_values(self, call: Call) -> Reply:
        return Reply(200, self.store.group_values(_id(call), call.params.get("fields")))

    def _set_group_values(self, call: Call) -> Reply:
        return Reply(200, self.store.set_group_values(_id(call), call.json_body()))


def _id(call: Call) -> str:
    return urllib.parse.unquote(call.match["id"])


def _error(exc: ApiError, fault: str | None = None) -> Reply:
    return Reply(exc.status, exc.body(), dict(exc.headers), fault)
