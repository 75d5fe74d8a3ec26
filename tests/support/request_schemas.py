"""Build the stand-in's request schemas from the official spec.

`python -m tests.support.request_schemas` rewrites
`src/lookervault/local/standin/request_schemas.json`: for every write route the stand-in
serves, the operation's request body schema, and every schema it refers to, reduced to the
keywords the stand-in's check reads. The spec traps (properties marked readOnly that the call
needs) lose their readOnly flag, exactly as in the exchange check. A test compares the shipped
file with a fresh build, so the two cannot drift apart.
"""

from __future__ import annotations

import json
from typing import Any

from lookervault.local.standin import Faults, StandIn
from lookervault.local.standin.schema import SCHEMAS_PATH
from tests.support.openapi_check import spec_data

KEPT = frozenset(
    {"type", "nullable", "enum", "readOnly", "required", "properties", "items"}
    | {"additionalProperties", "$ref"}
)
REF_PREFIX = "#/components/schemas/"


def served_writes() -> list[tuple[str, str]]:
    """(method, template) of every route with a body that the stand-in serves."""
    app = StandIn(faults=Faults()).app
    return sorted(
        {(r.method, r.template) for r in app.routes if r.method in ("POST", "PUT", "PATCH")}
    )


def build() -> dict[str, Any]:
    data = spec_data()
    operations: dict[str, Any] = {}
    wanted: list[str] = []
    for method, template in served_writes():
        operation = data["paths"][template][method.lower()]
        body = operation.get("requestBody", {}).get("content", {}).get("application/json")
        if body is None:
            continue
        operations[f"{method} {template}"] = _reduce(body["schema"], wanted)
    schemas: dict[str, Any] = {}
    while wanted:
        name = wanted.pop()
        if name not in schemas:
            schemas[name] = _reduce(data["components"]["schemas"][name], wanted)
    return {"operations": operations, "schemas": dict(sorted(schemas.items()))}


def _reduce(node: Any, wanted: list[str]) -> Any:
    if isinstance(node, list):
        return node
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key not in KEPT:
            continue
        if key == "$ref":
            name = value.removeprefix(REF_PREFIX)
            wanted.append(name)
            out[key] = name
        elif key == "properties":
            out[key] = {name: _reduce(prop, wanted) for name, prop in value.items()}
        elif key in ("items", "additionalProperties"):
            out[key] = _reduce(value, wanted)
        else:
            out[key] = value
    return out


def render() -> str:
    return json.dumps(build(), indent=1, sort_keys=True) + "\n"


if __name__ == "__main__":
    SCHEMAS_PATH.write_text(render(), encoding="utf-8")
    print(f"wrote {SCHEMAS_PATH}")
