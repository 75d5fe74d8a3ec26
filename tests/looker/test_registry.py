"""The registry agrees with the official API 4.0 spec and the SDK, and orders restores."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from looker_sdk.sdk.api40.methods import Looker40SDK

from lookervault.local.standin import CONTENT_TYPES
from lookervault.looker import content_types
from lookervault.looker.content_types import REGISTRY, TYPE_NAMES

SPEC = Path(__file__).parents[1] / "looker_api" / "Looker.4.0.oas.json"


@cache
def operations() -> dict[str, tuple[str, str, set[str]]]:
    """operationId -> (method, path, parameter names) from the official spec."""
    spec: dict[str, Any] = json.loads(SPEC.read_text())
    found = {}
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if isinstance(op, dict) and "operationId" in op:
                names = {p["name"] for p in op.get("parameters", []) if "name" in p}
                found[op["operationId"]] = (method, path, names)
    return found


def test_registry_covers_the_shared_vocabulary_once() -> None:
    assert sorted(TYPE_NAMES) == sorted(CONTENT_TYPES)
    assert len(set(TYPE_NAMES)) == len(TYPE_NAMES)


@pytest.mark.parametrize("ct", REGISTRY, ids=lambda ct: ct.name)
def test_every_call_is_a_get_of_the_spec_with_known_parameters(
    ct: content_types.ContentType,
) -> None:
    calls = [(ct.list_op, ct.list_path, {**ct.list_params, **ct.streams[-1]})]
    if ct.detail_op and ct.detail_path:
        calls.append((ct.detail_op, ct.detail_path, {}))
    calls += [(sub.op, sub.path, dict(sub.params)) for sub in ct.sub_resources]
    for op, path, params in calls:
        method, spec_path, names = operations()[op]
        assert method == "get"
        assert path.split("{")[0] == spec_path.split("{")[0], op
        assert set(params) <= names, op
        assert callable(getattr(Looker40SDK, op)), op
    _, _, list_names = operations()[ct.list_op]
    if ct.paged:
        assert {"limit", "offset"} <= list_names
    if ct.paged and ct.sortable:
        assert "sorts" in list_names


def test_soft_deleted_types_list_live_and_deleted_items() -> None:
    for ct in REGISTRY:
        deleted = sorted(stream.get("deleted", "") for stream in ct.streams)
        assert deleted == (["false", "true"] if ct.soft_delete else [""]), ct.name
    assert {ct.name for ct in REGISTRY if ct.soft_delete} == {"dashboards", "looks"}


def test_dashboards_are_fetched_whole() -> None:
    dashboards = content_types.BY_NAME["dashboards"]
    assert dashboards.detail_op == "dashboard"
    assert dashboards.detail_path == "/dashboards/{id}"


def test_restore_order_puts_dependencies_first() -> None:
    order = content_types.restore_order()
    assert sorted(order) == sorted(TYPE_NAMES)
    for ct in REGISTRY:
        for dep in ct.depends_on:
            assert order.index(dep) < order.index(ct.name), (dep, ct.name)
    assert order[0] == "folders"
    assert order.index("dashboards") < order.index("boards") < order.index("scheduled_plans")


def test_restore_order_of_a_subset_ignores_types_left_out() -> None:
    assert content_types.restore_order(["boards", "dashboards", "looks"]) == [
        "looks",
        "dashboards",
        "boards",
    ]


def test_unknown_type_is_refused() -> None:
    with pytest.raises(KeyError, match="widgets"):
        content_types.resolve(["dashboards", "widgets"])
