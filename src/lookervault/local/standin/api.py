"""The API 4.0 surface: authentication, faults, request checks, then routing to the store.

`App.respond` turns one HTTP request into one reply; the HTTP server around it only moves bytes.
Routes are written as the spec's path templates, so the operation a request reached is known
by the same name the spec uses ("PATCH /dashboards/{dashboard_id}"), and its body is checked
against that operation's request schema before the store sees it.
"""

from __future__ import annotations

import contextlib
import json
import re
import secrets
import threading
import time
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from lookervault.local.standin import releases, schema
from lookervault.local.standin.core_denied import CORE_DENIED
from lookervault.local.standin.faults import Fault, Faults
from lookervault.local.standin.query import QueryError
from lookervault.local.standin.settings import instance_settings
from lookervault.local.standin.store import CHILDREN, Store
from lookervault.local.standin.store.tables import projected
from lookervault.local.standin.types import ROWS
from lookervault.local.standin.wire import ApiError, not_found, validation_failed

API_PREFIX = "/api/4.0"
THEME_WRITES = frozenset(
    {
        ("POST", "/themes"),
        ("PATCH", "/themes/{theme_id}"),
        ("DELETE", "/themes/{theme_id}"),
        ("PUT", "/themes/default"),
    }
)
"""The theme calls an instance without custom themes refuses."""
METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})


@dataclass
class Reply:
    status: int
    payload: Any = None
    headers: dict[str, str] | None = None
    fault: str | None = None
    drop: bool = False
    """Close the connection without answering (a fault: the client sees it dropped)."""


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
    operation: str
    """The spec's name for it: "METHOD /template"."""
    params: Mapping[str, str]
    body: bytes
    caller_id: str
    path: dict[str, str] = field(default_factory=dict)

    @property
    def id(self) -> str:
        """The first path parameter: the id of the object the path names."""
        return next(iter(self.path.values()))

    def json_body(self) -> Any:
        """The parsed body, checked against the operation's request schema (422 if wrong)."""
        if not self.body:
            return None
        try:
            parsed = json.loads(self.body)
        except ValueError as exc:
            # JSONDecodeError, and UnicodeDecodeError for bytes that are not UTF-8.
            reason = exc.msg if isinstance(exc, json.JSONDecodeError) else "not UTF-8"
            raise ApiError(400, f"Request body is not valid JSON: {reason}") from exc
        cleaned, errors = schema.check_body(self.operation, parsed)
        if errors:
            raise validation_failed(errors)
        return cleaned


@dataclass(frozen=True)
class Route:
    method: str
    template: str
    pattern: re.Pattern[str]
    handler: Handler


def _route(method: str, template: str, handler: Handler) -> Route:
    regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template)
    return Route(method, template, re.compile(regex), handler)


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
        *,
        host_url: Callable[[], str],
        release: str,
        settings_readable: bool = True,
        max_concurrent_requests: int | None = None,
        custom_themes: bool = True,
    ) -> None:
        """`release`: the Looker release `GET /versions` reports, and whose routes and
        answers the stand-in gives where releases differ (releases.py); a malformed one is
        refused with ValueError. `custom_themes=False`: the licence has no custom themes, and
        theme writes answer 403."""
        releases.release_key(release)
        self.custom_themes = custom_themes
        self.store = store
        self.release = release
        self.faults = faults
        self.client_id = client_id
        self.client_secret = client_secret
        self.tokens = Tokens(token_ttl_s)
        self.api_user_id = "1"
        self._base_url = base_url
        self._host_url = host_url
        self.settings_readable = settings_readable
        """False: GET /setting answers 403, as Looker does for credentials without admin rights."""
        self._slots: contextlib.AbstractContextManager[Any] = (
            contextlib.nullcontext()
            if max_concurrent_requests is None
            else threading.BoundedSemaphore(max_concurrent_requests)
        )
        self.routes = self._build_routes()
        self._routes_by_segment: dict[str, list[Route]] = {}
        for route in self.routes:
            self._routes_by_segment.setdefault(_segment(route.template), []).append(route)

    def respond(
        self,
        method: str,
        path: str,
        params: Mapping[str, str],
        headers: Mapping[str, str],
        body: bytes,
    ) -> Reply:
        """One answer, once a slot is free: with `max_concurrent_requests` at most that many
        requests are handled at once and the others wait their turn, as Looker queues a user's
        requests beyond its limit. The configured latency is spent inside the slot."""
        with self._slots:
            return self._answer(method, path, params, headers, body)

    def _answer(
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
        except Exception as exc:
            # A bug in the stand-in: answer like a server would rather than drop the
            # connection. Tests see it (no 500 is in the spec) and fail on it.
            return _error(ApiError(500, f"Internal server error: {type(exc).__name__}: {exc}"))

    def _respond(
        self,
        method: str,
        path: str,
        params: Mapping[str, str],
        headers: Mapping[str, str],
        body: bytes,
    ) -> Reply:
        if method not in METHODS:
            raise _not_allowed()
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
        if injected is None:
            return self._dispatch(method, relative, params, body, caller)
        if injected.after_write:
            # The write reaches Looker; only its answer is lost on the way back.
            with contextlib.suppress(ApiError, QueryError):
                self._dispatch(method, relative, params, body, caller)
        return _injected(injected)

    def _dispatch(
        self, method: str, relative: str, params: Mapping[str, str], body: bytes, caller: str
    ) -> Reply:
        """The answer of the route the request reached; 405 or 404 when none did."""
        allowed = []
        for route in self._routes_by_segment.get(_segment(relative), ()):
            match = route.pattern.fullmatch(relative)
            if match is None:
                continue
            if route.method != method:
                allowed.append(route.method)
                continue
            path_params = {k: urllib.parse.unquote(v) for k, v in match.groupdict().items()}
            operation = f"{method} {route.template}"
            return route.handler(Call(method, operation, params, body, caller, path_params))
        if allowed:
            raise _not_allowed(allowed)
        raise not_found()

    def _login(self, params: Mapping[str, str], body: bytes) -> Reply:
        text = body.decode("utf-8", errors="replace")
        form = {k: v[-1] for k, v in urllib.parse.parse_qs(text).items()}
        client_id = form.get("client_id", params.get("client_id")) or ""
        client_secret = form.get("client_secret", params.get("client_secret")) or ""
        # Bytes, not str: compare_digest refuses non-ASCII strings, and a wrong secret in any
        # alphabet is a failed login (404), never a crash.
        good_id = secrets.compare_digest(client_id.encode(), self.client_id.encode())
        good_secret = secrets.compare_digest(client_secret.encode(), self.client_secret.encode())
        if not (good_id and good_secret):
            raise not_found()
        return Reply(200, self._access_token(self.tokens.issue(self.api_user_id)))

    def _login_user(self, call: Call) -> Reply:
        """login_user: a token that acts as the user, for the admin API user only (spec: "This
        can only be called by an authenticated admin user"). Looker (Google Cloud core)
        impersonates embed users only, and the stand-in's users are all regular ones. The
        `associative` parameter of releases before 26.8 is accepted and changes nothing."""
        if call.caller_id != self.api_user_id:
            raise ApiError(403, "Only an admin can log in as another user.")
        self.store.get("users", call.id)
        if self.store.answers.google_cloud_core:
            raise ApiError(
                403, "Regular user types can not be impersonated in Looker (Google Cloud core)."
            )
        return Reply(200, self._access_token(self.tokens.issue(call.id)))

    def _access_token(self, token: str) -> dict[str, Any]:
        return {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": self.tokens.ttl_s,
            "refresh_token": None,
        }

    def _versions(self) -> dict[str, Any]:
        base = self._base_url()
        current = {
            "version": "4.0",
            "full_version": f"4.0.{self.release}",
            "status": "current",
            "swagger_url": f"{base}/api/4.0/swagger.json",
        }
        return {
            "looker_release_version": self.release,
            "current_version": current,
            "supported_versions": [current],
            "api_server_url": base,
            "web_server_url": base,
        }

    def _build_routes(self) -> list[Route]:
        s = self.store
        routes: list[tuple[str, str, Handler]] = [
            ("GET", "/setting", self._setting),
            ("GET", "/user", lambda c: Reply(200, s.get("users", c.caller_id, _f(c)))),
            ("POST", "/login/{user_id}", self._login_user),
            (
                "GET",
                "/dashboards/lookml/{dashboard_id}",
                lambda c: Reply(200, s.dashboard_lookml(c.id)),
            ),
            ("POST", "/dashboards/lookml", self._import_lookml),
            ("POST", "/dashboards/from_lookml", self._import_lookml),
            ("POST", "/queries", lambda c: Reply(200, s.create_query(c.json_body()))),
            (
                "POST",
                "/merge_queries",
                lambda c: Reply(200, s.create_merge_query(c.json_body(), _f(c))),
            ),
            (
                "GET",
                "/merge_queries/{merge_query_id}",
                lambda c: Reply(200, s.get("merge_queries", c.id, _f(c))),
            ),
            ("GET", "/queries/slug/{slug}", lambda c: Reply(200, s.query_for_slug(c.id, _f(c)))),
            ("GET", "/queries/{query_id}", lambda c: Reply(200, s.get("queries", c.id, _f(c)))),
            (
                "GET",
                "/groups/{group_id}/users",
                lambda c: Reply(200, s.group_users(c.id, c.params)),
            ),
            ("POST", "/groups/{group_id}/users", self._add_group_user),
            ("DELETE", "/groups/{group_id}/users/{user_id}", self._remove_group_user),
            ("GET", "/user_attributes/{user_attribute_id}/group_values", self._group_values),
            ("POST", "/user_attributes/{user_attribute_id}/group_values", self._set_group_values),
            (
                "GET",
                "/credentials_email/search",
                lambda c: Reply(200, s.search_credentials_email(c.params)),
            ),
            ("GET", "/users/{user_id}/credentials_email", self._credentials_email),
            ("POST", "/users/{user_id}/credentials_email", self._write_credentials_email),
            ("PATCH", "/users/{user_id}/credentials_email", self._write_credentials_email),
            (
                "POST",
                "/users/{user_id}/credentials_email/password_reset",
                lambda c: Reply(200, s.password_reset(c.id, send=False)),
            ),
            (
                "POST",
                "/users/{user_id}/credentials_email/send_password_reset",
                lambda c: Reply(200, s.password_reset(c.id, send=True)),
            ),
            ("GET", "/roles/{role_id}/groups", lambda c: Reply(200, s.role_groups(c.id, _f(c)))),
            ("PUT", "/roles/{role_id}/groups", self._set_role_groups),
            ("GET", "/users/{user_id}/roles", lambda c: Reply(200, s.user_roles(c.id, _f(c)))),
            ("PUT", "/users/{user_id}/roles", self._set_user_roles),
            (
                "GET",
                "/dashboards/{dashboard_id}/dashboard_elements",
                lambda c: Reply(200, s.dashboard_children(c.id, "dashboard_elements", _f(c))),
            ),
            (
                "GET",
                "/dashboards/{dashboard_id}/dashboard_filters",
                lambda c: Reply(200, s.dashboard_children(c.id, "dashboard_filters", _f(c))),
            ),
            (
                "GET",
                "/dashboards/{dashboard_id}/dashboard_layouts",
                lambda c: Reply(200, s.dashboard_children(c.id, "dashboard_layouts", _f(c))),
            ),
            (
                "GET",
                "/dashboard_layouts/{dashboard_layout_id}/dashboard_layout_components",
                lambda c: Reply(200, s.layout_components(c.id, _f(c))),
            ),
            (
                "GET",
                "/dashboard_layout_components/{dashboard_layout_component_id}",
                lambda c: Reply(200, s.get_component(c.id, _f(c))),
            ),
            (
                "PATCH",
                "/dashboard_layout_components/{dashboard_layout_component_id}",
                lambda c: Reply(200, s.update_component(c.id, c.json_body())),
            ),
            ("GET", "/content_favorite/search", self._lister("content_favorites", search=True)),
            ("GET", "/content_favorite/{content_favorite_id}", self._getter("content_favorites")),
            (
                "POST",
                "/content_favorite",
                lambda c: Reply(200, s.create_content_favorite(c.json_body(), c.caller_id)),
            ),
            (
                "DELETE",
                "/content_favorite/{content_favorite_id}",
                self._deleter("content_favorites"),
            ),
            ("GET", "/content_metadata", lambda c: Reply(200, s.content_metadatas(c.params))),
            (
                "GET",
                "/content_metadata/{content_metadata_id}",
                lambda c: Reply(200, s.get("content_metadata", c.id, _f(c))),
            ),
            (
                "PATCH",
                "/content_metadata/{content_metadata_id}",
                lambda c: Reply(200, s.update_content_metadata(c.id, c.json_body())),
            ),
            (
                "GET",
                "/content_metadata_access",
                lambda c: Reply(200, s.content_accesses(c.params)),
            ),
            ("POST", "/content_metadata_access", self._create_content_access),
            (
                "PUT",
                "/content_metadata_access/{content_metadata_access_id}",
                lambda c: Reply(200, s.update_content_access(c.id, c.json_body())),
            ),
            (
                "DELETE",
                "/content_metadata_access/{content_metadata_access_id}",
                self._delete_content_access,
            ),
            ("POST", "/board_items", lambda c: Reply(200, s.create_board_item(c.json_body()))),
            (
                "GET",
                "/board_items/{board_item_id}",
                lambda c: Reply(200, s.get_board_item(c.id, _f(c))),
            ),
            (
                "PATCH",
                "/board_items/{board_item_id}",
                lambda c: Reply(200, s.update_board_item(c.id, c.json_body())),
            ),
            ("DELETE", "/board_items/{board_item_id}", self._delete_board_item),
            ("GET", "/users/{user_id}/attribute_values", self._user_values),
            (
                "PATCH",
                "/users/{user_id}/attribute_values/{user_attribute_id}",
                self._set_user_value,
            ),
            (
                "DELETE",
                "/users/{user_id}/attribute_values/{user_attribute_id}",
                self._delete_user_value,
            ),
            (
                "PATCH",
                "/groups/{group_id}/attribute_values/{user_attribute_id}",
                self._update_group_value,
            ),
            (
                "DELETE",
                "/groups/{group_id}/attribute_values/{user_attribute_id}",
                self._delete_group_value,
            ),
            (
                "GET",
                "/color_collections/custom",
                lambda c: Reply(200, s.color_collections(standard=False, fields=_f(c))),
            ),
            (
                "GET",
                "/color_collections/standard",
                lambda c: Reply(200, s.color_collections(standard=True, fields=_f(c))),
            ),
            (
                "GET",
                "/color_collections/default",
                lambda c: Reply(200, s.default_color_collection()),
            ),
            (
                "PUT",
                "/color_collections/default",
                lambda c: Reply(200, s.set_default_color_collection(c.params.get("collection_id"))),
            ),
            ("GET", "/themes/default", lambda c: Reply(200, s.default_theme())),
            (
                "PUT",
                "/themes/default",
                lambda c: Reply(200, s.set_default_theme(c.params.get("name"))),
            ),
            ("POST", "/scheduled_plans/run_once", self._run_once),
            ("POST", "/scheduled_plans/{scheduled_plan_id}/run_once", self._run_once_by_id),
        ]
        for child_type in sorted(CHILDREN):
            base = f"/{child_type}"
            item = f"{base}/{{{child_type[:-1]}_id}}"
            routes += [
                ("POST", base, self._child_creator(child_type)),
                ("GET", item, self._child_getter(child_type)),
                ("PATCH", item, self._child_updater(child_type)),
                ("DELETE", item, self._child_deleter(child_type)),
            ]
        for row in sorted(ROWS, key=lambda row: row.name):
            if row.path is None:
                continue
            type_name, base = row.name, row.path
            item = f"{base}/{{{row.param}}}"
            if row.searchable:
                routes.append(("GET", base + "/search", self._lister(type_name, search=True)))
            if row.listable:
                routes.append(("GET", base, self._lister(type_name, search=False)))
            routes += [
                ("POST", base, self._creator(type_name)),
                ("GET", item, self._getter(type_name)),
                ("PATCH", item, self._updater(type_name)),
                ("DELETE", item, self._deleter(type_name)),
            ]
            if row.replaceable:
                routes.append(("PUT", item, self._replacer(type_name)))
        denied = CORE_DENIED if s.answers.google_cloud_core else frozenset()
        unlicensed = frozenset() if self.custom_themes else THEME_WRITES
        return [
            _route(
                method,
                template,
                _denied
                if (method, template) in denied
                else _unlicensed
                if (method, template) in unlicensed
                else handler,
            )
            for method, template, handler in routes
        ]

    def _lister(self, type_name: str, *, search: bool) -> Handler:
        def handle(call: Call) -> Reply:
            found = self.store.search(type_name, call.params, call.caller_id, search=search)
            return Reply(200, found)

        return handle

    def _getter(self, type_name: str) -> Handler:
        return lambda call: Reply(200, self.store.get(type_name, call.id, _f(call)))

    def _creator(self, type_name: str) -> Handler:
        def handle(call: Call) -> Reply:
            body = call.json_body()
            if type_name == "alerts":
                return Reply(200, self.store.create_alert(body, call.caller_id))
            return Reply(200, self.store.create(type_name, body, call.caller_id))

        return handle

    def _updater(self, type_name: str) -> Handler:
        def handle(call: Call) -> Reply:
            body = call.json_body()
            if type_name == "alerts":
                return Reply(200, self.store.patch_alert(call.id, body, call.caller_id))
            updated = self.store.update(type_name, call.id, body, call.caller_id)
            return Reply(200, updated)

        return handle

    def _replacer(self, type_name: str) -> Handler:
        def handle(call: Call) -> Reply:
            replaced = self.store.replace(type_name, call.id, call.json_body(), call.caller_id)
            return Reply(200, replaced)

        return handle

    def _deleter(self, type_name: str) -> Handler:
        def handle(call: Call) -> Reply:
            self.store.delete(type_name, call.id)
            return Reply(204)

        return handle

    def _child_creator(self, child_type: str) -> Handler:
        return lambda call: Reply(200, self.store.create_child(child_type, call.json_body()))

    def _child_getter(self, child_type: str) -> Handler:
        return lambda call: Reply(200, self.store.get_child(child_type, call.id, _f(call)))

    def _child_updater(self, child_type: str) -> Handler:
        return lambda call: Reply(
            200, self.store.update_child(child_type, call.id, call.json_body())
        )

    def _child_deleter(self, child_type: str) -> Handler:
        def handle(call: Call) -> Reply:
            self.store.delete_child(child_type, call.id)
            return Reply(204)

        return handle

    def _add_group_user(self, call: Call) -> Reply:
        return Reply(200, self.store.add_group_user(call.id, call.json_body()))

    def _remove_group_user(self, call: Call) -> Reply:
        self.store.remove_group_user(call.id, call.path["user_id"])
        return Reply(204)

    def _group_values(self, call: Call) -> Reply:
        return Reply(200, self.store.group_values(call.id, _f(call)))

    def _set_group_values(self, call: Call) -> Reply:
        return Reply(200, self.store.set_group_values(call.id, call.json_body()))

    def _credentials_email(self, call: Call) -> Reply:
        return Reply(200, self.store.credentials_email(call.id, _f(call)))

    def _write_credentials_email(self, call: Call) -> Reply:
        create = call.method == "POST"
        return Reply(200, self.store.write_credentials_email(call.id, call.json_body(), create))

    def _set_user_roles(self, call: Call) -> Reply:
        return Reply(200, self.store.set_user_roles(call.id, call.json_body(), _f(call)))

    def _create_content_access(self, call: Call) -> Reply:
        notify = call.params.get("send_boards_notification_email")
        return Reply(200, self.store.create_content_access(call.json_body(), notify=notify))

    def _delete_content_access(self, call: Call) -> Reply:
        self.store.delete_content_access(call.id)
        return Reply(204)

    def _user_values(self, call: Call) -> Reply:
        return Reply(200, self.store.user_values(call.id, call.params))

    def _set_user_value(self, call: Call) -> Reply:
        user_id, attribute_id = call.path["user_id"], call.path["user_attribute_id"]
        return Reply(200, self.store.set_user_value(user_id, attribute_id, call.json_body()))

    def _delete_user_value(self, call: Call) -> Reply:
        self.store.delete_user_value(call.path["user_id"], call.path["user_attribute_id"])
        return Reply(204)

    def _update_group_value(self, call: Call) -> Reply:
        group_id, attribute_id = call.path["group_id"], call.path["user_attribute_id"]
        return Reply(200, self.store.update_group_value(group_id, attribute_id, call.json_body()))

    def _delete_group_value(self, call: Call) -> Reply:
        self.store.delete_group_value(call.path["group_id"], call.path["user_attribute_id"])
        return Reply(204)

    def _set_role_groups(self, call: Call) -> Reply:
        return Reply(200, self.store.set_role_groups(call.id, call.json_body()))

    def _delete_board_item(self, call: Call) -> Reply:
        self.store.delete_board_item(call.id)
        return Reply(204)

    def _import_lookml(self, call: Call) -> Reply:
        """import_dashboard_from_lookml, and create_dashboard_from_lookml, its deprecated
        alias (spec), as the release has them: absent (404, as for an unknown path), or
        answering the new dashboard, or before 23.4 its `DashboardLookml`."""
        alias = call.operation.endswith("/from_lookml")
        answer = releases.lookml_import_answer(self.release, alias=alias)
        if answer == "absent":
            raise not_found()
        body = call.json_body()
        dashboard = self.store.import_dashboard_lookml(body, call.caller_id)
        if answer == "dashboard":
            return Reply(200, dashboard)
        lookml = {
            "dashboard_id": dashboard["id"],
            "folder_id": dashboard["folder_id"],
            "lookml": body["lookml"],
        }
        return Reply(200, lookml)

    def _setting(self, call: Call) -> Reply:
        if not self.settings_readable:
            raise ApiError(403, "Forbidden")
        return Reply(200, projected(instance_settings(self._host_url()), _f(call)))

    def _run_once(self, call: Call) -> Reply:
        return Reply(200, self.store.run_once(None, call.json_body(), call.caller_id))

    def _run_once_by_id(self, call: Call) -> Reply:
        return Reply(200, self.store.run_once(call.id, call.json_body(), call.caller_id))


def _segment(path: str) -> str:
    """A path's first segment ("dashboards" for /dashboards/1/dashboard_elements): only the
    routes under it can match."""
    return path.split("/", 2)[1]


def _f(call: Call) -> str | None:
    return call.params.get("fields")


def _not_allowed(allowed: list[str] | None = None) -> ApiError:
    headers = {"Allow": ", ".join(sorted(set(allowed)))} if allowed else {}
    return ApiError(405, "Method not allowed", headers=headers)


def _error(exc: ApiError, fault: str | None = None) -> Reply:
    return Reply(exc.status, exc.body(), dict(exc.headers), fault)


def _injected(fault: Fault) -> Reply:
    """A fault's answer: its error, or no answer at all."""
    if fault.drop:
        return Reply(0, fault=fault.kind, drop=True)
    return _error(ApiError(fault.status, "Service temporarily unavailable"), fault.kind)


def _unlicensed(call: Call) -> Reply:
    """A theme write on an instance whose licence has no custom themes (spec: "Unless custom
    themes are enabled, only the automatically generated default theme can be used"); the
    status is UNCONFIRMED (403, as search_themes and active_themes document)."""
    raise ApiError(403, "Custom themes are not enabled for this Looker instance.")


def _denied(call: Call) -> Reply:
    """A call Looker (Google Cloud core) may deny (spec: "Calls to this endpoint may be denied
    by Looker (Google Cloud core)"), denied; the message is UNCONFIRMED."""
    raise ApiError(403, f"{call.operation} is not available in Looker (Google Cloud core).")
