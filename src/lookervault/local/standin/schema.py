"""Request bodies checked against the official spec's request schemas, as Looker does.

`request_schemas.json` (next to this module) holds, for every write the stand-in serves, the
body schema of that operation in the official API 4.0 spec, reduced to what this check reads
(type, nullable, enum, readOnly, required, properties, items, additionalProperties, $ref).
It is generated from `tests/looker_api/Looker.4.0.oas.json` by
`python -m tests.support.request_schemas`, and a test fails when it drifts from the spec.

A body is checked the way Looker's SDKs write it: read-only properties are dropped, not refused
(Looker ignores them), except the few the spec marks read-only although the call cannot work
without them (the generator clears their readOnly flag). Unknown properties are dropped too.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from lookervault.local.standin.wire import ErrorDetail

SCHEMAS_PATH = Path(__file__).with_name("request_schemas.json")

Schema = dict[str, Any]

_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
}
_ARTICLE = {"integer": "an", "array": "an", "object": "an"}


@functools.cache
def _loaded() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SCHEMAS_PATH.read_text(encoding="utf-8"))
    return data


def operations() -> dict[str, Schema]:
    """ "METHOD /template" -> the operation's body schema, for every write the stand-in serves."""
    ops: dict[str, Schema] = _loaded()["operations"]
    return ops


def check_body(operation: str, body: Any) -> tuple[Any, list[ErrorDetail]]:
    """The body with read-only and unknown properties dropped, and what is wrong with it.

    `operation` is "METHOD /template" as in the spec; an operation without a body schema
    passes its body through unchanged. A PATCH changes only what it names, so the required
    properties of its top-level schema are not required there (nested objects are replaced
    whole, so theirs are).
    """
    schema = operations().get(operation)
    if schema is None:
        return body, []
    errors: list[ErrorDetail] = []
    partial = operation.startswith("PATCH ")
    cleaned = _check(schema, body, "", errors, partial=partial)
    return cleaned, errors


def _resolve(schema: Schema) -> Schema:
    while "$ref" in schema:
        schema = _loaded()["schemas"][schema["$ref"]]
    return schema


def _check(
    schema: Schema, value: Any, path: str, errors: list[ErrorDetail], *, partial: bool = False
) -> Any:
    is_ref = "$ref" in schema
    schema = _resolve(schema)
    if value is None:
        # A $ref property has no `nullable` of its own; the SDKs and the spec checker accept
        # null there, as Looker does for "no nested object".
        if not (is_ref or schema.get("nullable", False)):
            errors.append(ErrorDetail(path or "body", "invalid", "must not be null"))
        return None
    wanted = schema.get("type", "object" if "properties" in schema else None)
    if wanted in _TYPES and not _is_type(value, wanted):
        article = _ARTICLE.get(wanted, "a")
        errors.append(ErrorDetail(path or "body", "invalid", f"must be {article} {wanted}"))
        return value
    if "enum" in schema and value not in schema["enum"]:
        allowed = ", ".join(str(v) for v in schema["enum"])
        errors.append(ErrorDetail(path or "body", "invalid", f"must be one of: {allowed}"))
    if wanted == "array":
        items = schema.get("items", {})
        return [_check(items, item, f"{path}[{i}]", errors) for i, item in enumerate(value)]
    if wanted == "object":
        return _check_object(schema, value, path, errors, partial=partial)
    return value


def _check_object(
    schema: Schema, value: dict[str, Any], path: str, errors: list[ErrorDetail], *, partial: bool
) -> Any:
    properties: dict[str, Schema] = schema.get("properties", {})
    extra = schema.get("additionalProperties")
    if not partial:
        for name in schema.get("required", ()):
            if name not in value and not properties.get(name, {}).get("readOnly"):
                child = f"{path}.{name}" if path else name
                errors.append(ErrorDetail(child, "missing", "This field is required."))
    out: dict[str, Any] = {}
    for key, item in value.items():
        child = f"{path}.{key}" if path else key
        if key in properties:
            prop = properties[key]
            if prop.get("readOnly"):
                continue
            out[key] = _check(prop, item, child, errors)
        elif isinstance(extra, dict):
            out[key] = _check(extra, item, child, errors)
        elif not properties and extra is None:
            out[key] = item
    return out


def _is_type(value: Any, wanted: str) -> bool:
    if isinstance(value, bool) and wanted not in ("boolean",):
        return False
    return isinstance(value, _TYPES[wanted])
