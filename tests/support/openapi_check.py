"""Check recorded stand-in traffic against Looker's official API 4.0 OpenAPI spec.

The spec (tests/looker_api/, vendored as published) is parsed once per process. Each exchange
is mapped from our loopback URL onto the spec's server URL (https://localhost:20000/api/4.0)
and its request and response are validated with openapi-core.
"""

from __future__ import annotations

import copy
import functools
import json
import urllib.parse
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from openapi_core import OpenAPI
from openapi_core.configurations import Config
from openapi_core.testing import MockRequest, MockResponse

from lookervault.local.standin import Exchange

SPEC_PATH = Path(__file__).resolve().parent.parent / "looker_api" / "Looker.4.0.oas.json"
SPEC_HOST = "https://localhost:20000"
API_PREFIX = "/api/4.0"

SDK_LOGOUT_PATH = "/api/logout"
"""looker_sdk's AuthSession.logout() calls DELETE /api/logout (no version); Looker serves it as
the version-less alias of /api/4.0/logout, so we check it as that operation."""

UNDOCUMENTED_STATUSES = frozenset({401})
"""Statuses Looker sends that the spec lists for no operation: 401 for a missing, wrong or
expired token. Their bodies must still be Looker's Error shape."""

UNDOCUMENTED_REFUSALS = {
    ("GET", "/setting"): frozenset({403}),
    ("DELETE", "/content_metadata_access/{content_metadata_access_id}"): frozenset({422}),
    ("POST", "/themes"): frozenset({403}),
    ("PATCH", "/themes/{theme_id}"): frozenset({403}),
    ("DELETE", "/themes/{theme_id}"): frozenset({403}),
    ("PUT", "/themes/default"): frozenset({403}),
}
"""Statuses one operation (method, spec path template) answers that the spec does not list
for it: 403 from get_setting for credentials without admin rights (the spec documents 403
for other admin calls, such as set_role_groups, not for this one); 422 from
delete_content_metadata_access in the strict profile, which refuses to take away access a
parent folder gives, with the same 422 as update_content_metadata_access (which documents
it; which status Looker sends is UNCONFIRMED); 403 from the theme writes of an instance whose
licence has no custom themes (the spec says such an instance can use only the default theme,
and documents 403 for search_themes and active_themes, not for these; UNCONFIRMED). Their
bodies must still be Looker's Error shape."""

OLDER_RELEASE_ANSWERS = {
    ("POST", "/dashboards/lookml"): "DashboardLookml",
    ("POST", "/dashboards/from_lookml"): "DashboardLookml",
}
"""200 answers in a schema older releases' specs document instead of today's: releases 22.8
to 23.2 answer the dashboard LookML import with `DashboardLookml` (sdk-codegen spec history;
the stand-in does on those releases). An answer without `id` is checked against that schema,
closed to other keys, so it must be exactly a DashboardLookml."""


WRITTEN_READ_ONLY = {
    "GroupIdForGroupUserInclusion": ("user_id",),
    "GroupIdForGroupInclusion": ("group_id",),
    "UserAttributeGroupValue": ("group_id", "value", "rank"),
    "ContentMetaGroupUser": ("content_metadata_id", "permission_type", "group_id", "user_id"),
    "ResultMakerFilterables": ("listen",),
}
"""The spec traps (RESTORE-FACTS "Spec trap"): properties the spec marks readOnly although the
call cannot work without them in its request body (add_group_user, add_group_group,
set_user_attribute_group_values, create_content_metadata_access, and a tile's filter
listeners on create/update_dashboard_element). Clients send them and Looker honours them, so
the exchange check accepts them and the stand-in's own request check treats them as writable
(tests/support/request_schemas.py builds its schemas from this same spec data)."""


@functools.cache
def spec_data() -> dict[str, Any]:
    loaded: dict[str, Any] = _untyped_any(json.loads(SPEC_PATH.read_text(encoding="utf-8")))
    schemas = loaded["components"]["schemas"]
    for schema_name, properties in WRITTEN_READ_ONLY.items():
        for name in properties:
            schemas[schema_name]["properties"][name].pop("readOnly", None)
    return loaded


def _untyped_any(node: Any) -> Any:
    """The spec writes "any value" as `type: any`, which OpenAPI 3.0 does not have and
    jsonschema rejects; the schema that means the same is one without a type."""
    if isinstance(node, dict):
        if node.get("type") == "any":
            node = {k: v for k, v in node.items() if k not in ("type", "format")}
        return {key: _untyped_any(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_untyped_any(item) for item in node]
    return node


@functools.cache
def spec(projected: bool = False) -> OpenAPI:
    """The parsed spec, loaded once. Spec validation is off: the official file has one
    parameter that does not conform, and we check traffic, not the spec.

    projected=True: the same spec with no property required, for responses to calls with a
    `fields` projection, which keep only the requested keys (types are still checked).
    """
    data = no_required(spec_data()) if projected else spec_data()
    return OpenAPI.from_dict(data, config=Config(spec_validator_cls=None))


def no_required(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            key: no_required(value)
            for key, value in node.items()
            if not (key == "required" and isinstance(value, list))
        }
    if isinstance(node, list):
        return [no_required(item) for item in node]
    return node


def validate_exchanges(exchanges: Iterable[Exchange]) -> list[str]:
    """Problems found, one line per exchange that does not conform (empty when all do)."""
    problems = []
    for exchange in exchanges:
        problem = validate_exchange(exchange)
        if problem:
            problems.append(problem)
    return problems


def validate_exchange(exchange: Exchange) -> str | None:
    label = f"{exchange.method} {exchange.path}?{exchange.query} -> {exchange.status}"
    request = _request(exchange)
    api = spec(projected="fields" in urllib.parse.parse_qs(exchange.query))
    try:
        api.validate_request(request)
    except Exception as exc:
        return f"{label}: request: {_describe(exc)}"
    if exchange.status is None:
        return None  # dropped on purpose: no answer to check
    template = _template(exchange)
    refusals = UNDOCUMENTED_REFUSALS.get((exchange.method, template or ""), frozenset())
    if exchange.status in UNDOCUMENTED_STATUSES | refusals or _injected_5xx(exchange):
        return _check_error_shape(label, exchange)
    if exchange.status == 204:
        return _check_no_content(label, exchange)
    content_type = exchange.response_headers.get("Content-Type", "application/json")
    response = MockResponse(
        exchange.response_body,
        status_code=exchange.status,
        headers=exchange.response_headers,
        content_type=content_type.split(";")[0],
    )
    older = OLDER_RELEASE_ANSWERS.get((exchange.method, template or ""))
    if older is not None and exchange.status == 200 and "id" not in (exchange.json() or {}):
        api = _older_release_spec(exchange.method, template or "", older)
    try:
        api.validate_response(request, response)
    except Exception as exc:
        return f"{label}: response: {_describe(exc)}"
    return None


@functools.cache
def _older_release_spec(method: str, template: str, schema_name: str) -> OpenAPI:
    """The spec with one operation's 200 answer in an older release's schema, closed to
    other keys."""
    data = copy.deepcopy(spec_data())
    closed = {**data["components"]["schemas"][schema_name], "additionalProperties": False}
    content = data["paths"][template][method.lower()]["responses"]["200"]["content"]
    content["application/json"]["schema"] = closed
    return OpenAPI.from_dict(data, config=Config(spec_validator_cls=None))


def _spec_path(exchange: Exchange) -> str:
    return f"{API_PREFIX}/logout" if exchange.path == SDK_LOGOUT_PATH else exchange.path


def _request(exchange: Exchange) -> MockRequest:
    path = _spec_path(exchange)
    content_type = exchange.request_headers.get("Content-Type", "application/json")
    return MockRequest(
        SPEC_HOST,
        exchange.method,
        path,
        args=urllib.parse.parse_qs(exchange.query, keep_blank_values=True),
        headers=exchange.request_headers,
        data=exchange.request_body or None,
        content_type=content_type.split(";")[0],
    )


def _injected_5xx(exchange: Exchange) -> bool:
    """A 5xx the fault knobs produced on purpose: the spec documents no 5xx at all."""
    return exchange.fault is not None and (exchange.status or 0) >= 500


def _check_error_shape(label: str, exchange: Exchange) -> str | None:
    body = exchange.json()
    if not isinstance(body, dict) or not all(
        isinstance(body.get(key), str) for key in ("message", "documentation_url")
    ):
        return f"{label}: response: not a Looker Error body: {exchange.response_body[:200]!r}"
    return None


def _check_no_content(label: str, exchange: Exchange) -> str | None:
    """204 must not carry a body (RFC 9110), though the spec gives it a JSON string schema;
    the operation must still document 204."""
    operation = _operation(exchange)
    if operation is None or "204" not in operation.get("responses", {}):
        return f"{label}: response: 204 is not a documented response of this operation"
    if exchange.response_body:
        return f"{label}: response: a 204 must have no body"
    return None


def _operation(exchange: Exchange) -> dict[str, Any] | None:
    template = _template(exchange)
    if template is None:
        return None
    operation = spec_data()["paths"][template].get(exchange.method.lower())
    return operation if isinstance(operation, dict) else None


def _template(exchange: Exchange) -> str | None:
    """The spec's path template the exchange's path is an instance of: a literal path
    before one with parameters (/dashboards/lookml, not /dashboards/{dashboard_id})."""
    relative = _spec_path(exchange).removeprefix(API_PREFIX)
    candidates = _templates_by_shape().get(_shape(relative), [])
    matching = [t for t in candidates if _template_matches(t, relative)]
    return min(matching, key=lambda t: t.count("{"), default=None)


@functools.cache
def _templates_by_shape() -> dict[tuple[str, int], list[str]]:
    """The spec's path templates by first segment and length: the only ones a path with the
    same shape can be an instance of."""
    shapes: dict[tuple[str, int], list[str]] = {}
    for template in spec_data()["paths"]:
        shapes.setdefault(_shape(template), []).append(template)
    return shapes


def _shape(path: str) -> tuple[str, int]:
    segments = path.strip("/").split("/")
    return segments[0], len(segments)


def _template_matches(template: str, path: str) -> bool:
    wanted = template.strip("/").split("/")
    actual = path.strip("/").split("/")
    return len(wanted) == len(actual) and all(
        w.startswith("{") or w == a for w, a in zip(wanted, actual, strict=True)
    )


def _describe(exc: Exception) -> str:
    """The error and its first schema errors, short enough to read in a test failure."""
    details = [type(exc).__name__]
    cause = exc.__cause__ or exc
    errors = getattr(cause, "schema_errors", None)
    if errors:
        details += [
            f"{list(getattr(e, 'absolute_path', []))}: {getattr(e, 'message', e)}"
            for e in list(errors)[:5]
        ]
    else:
        details.append(str(cause))
    return " | ".join(details)[:1000]
