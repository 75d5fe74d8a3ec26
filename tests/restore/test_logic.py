"""The pure parts of restore and of the comparison up to ids: no Looker needed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from lookervault.looker.compare import compare
from lookervault.looker.content_types import REGISTRY
from lookervault.restore import canonical, pairing
from lookervault.restore.denials import DENIABLE
from lookervault.restore.plan import ids_at
from lookervault.restore.state import RestoreState
from lookervault.restore.types import handler
from lookervault.restore.types.dashboards import lookml_route

SPEC = Path(__file__).resolve().parent.parent / "looker_api" / "Looker.4.0.oas.json"


def same(_type: str, value: str) -> str:
    return value


def test_writable_fields_come_from_the_sdk_and_leave_out_read_only_ones() -> None:
    dashboard = canonical.top_fields("dashboards")
    assert {"title", "folder_id", "user_id", "slug", "deleted"} <= dashboard
    assert not {"id", "view_count", "created_at", "dashboard_elements", "can"} & dashboard
    assert "email" not in canonical.top_fields("users")  # read-only: set through credentials
    for ct in REGISTRY:
        assert canonical.top_fields(ct.name), ct.name


def test_a_query_is_compared_by_definition_without_ids_or_client_id() -> None:
    query = {
        "id": "7",
        "model": "m",
        "view": "v",
        "fields": ["v.a"],
        "client_id": "xyz",
        "slug": "s",
    }
    assert canonical.query_definition(query) == {"model": "m", "view": "v", "fields": ["v.a"]}


def test_a_tile_form_holds_its_source_wiring_and_place_but_no_ids() -> None:
    element: dict[str, Any] = {
        "id": "10",
        "dashboard_id": "3",
        "type": "vis",
        "title": "Revenue",
        "query_id": "44",
        "query": {"id": "44", "model": "m", "view": "v", "fields": ["v.x"]},
        "result_maker": {
            "id": "9",
            "filterables": [
                {
                    "model": "m",
                    "view": "v",
                    "listen": [{"dashboard_filter_name": "Region", "field": "v.region"}],
                }
            ],
        },
    }
    form = canonical.element_form(element, same, {"row": 0, "column": 8, "width": 8, "height": 6})
    assert form["query"] == {"model": "m", "view": "v", "fields": ["v.x"]}
    assert form["filterables"][0]["listen"] == [
        {"dashboard_filter_name": "Region", "field": "v.region"}
    ]
    assert form["position"]["column"] == 8
    assert "10" not in canonical.canonical_json(form) and "44" not in canonical.canonical_json(form)


def test_references_are_translated_and_a_reference_to_nothing_is_left_out() -> None:
    look = {"id": "1", "title": "T", "folder_id": "5", "user_id": "9", "query": None}
    targets = {("folders", "5"): "50"}
    looks = handler("looks").pseudo
    want = canonical.desired("looks", look, lambda t, i: targets.get((t, i)), looks)
    assert want["folder_id"] == "50"
    assert "user_id" not in want


def test_a_group_only_lacks_members_extra_ones_are_kept() -> None:
    want = {"name": "G", "member_user_ids": ["1", "2"]}
    members = handler("groups").lacking_only
    assert canonical.changes(want, {"name": "G", "member_user_ids": ["1", "2", "3"]}, members) == []
    assert canonical.changes(want, {"name": "G", "member_user_ids": ["1"]}, members) == [
        "member_user_ids"
    ]


def test_reference_paths_reach_into_lists() -> None:
    board = {"board_sections": [{"board_items": [{"dashboard_id": 3}, {"look_id": 4}]}, {}]}
    assert ids_at(board, "board_sections[].board_items[].dashboard_id") == ["3"]
    assert ids_at({"role_ids": [1, 2]}, "role_ids[]") == ["1", "2"]
    assert ids_at({"parent_id": None}, "parent_id") == []


def test_the_id_map_and_failures_outlive_the_run_and_stay_scoped(tmp_path: Path) -> None:
    first = RestoreState(tmp_path, "a.example", "b.example")
    first.record("dashboards", "1", "101")
    first.record_failure(("looks", "2"), "HTTP 503")
    first.close()
    again = RestoreState(tmp_path, "a.example", "b.example")
    assert again.mapped("dashboards") == {"1": "101"}
    assert again.failed() == {("looks", "2"): "HTTP 503"}
    again.clear_failure(("looks", "2"))
    assert again.failed() == {}
    other = RestoreState(tmp_path, "a.example", "c.example")
    assert other.mapped("dashboards") == {}


def _instance(folder_id: str, user_id: str, dashboard_id: str, title: str) -> dict[str, Any]:
    return {
        "folders": {
            "1": {"id": "1", "name": "Shared", "parent_id": None, "is_shared_root": True},
            folder_id: {"id": folder_id, "name": "Sales", "parent_id": "1"},
        },
        "users": {user_id: {"id": user_id, "email": "a@x.com", "personal_folder_id": None}},
        "dashboards": {
            dashboard_id: {
                "id": dashboard_id,
                "title": title,
                "folder_id": folder_id,
                "user_id": user_id,
                "view_count": int(dashboard_id),
                "dashboard_elements": [],
            }
        },
    }


def test_content_compares_equal_up_to_ids_and_volatile_fields() -> None:
    a = _instance("2", "7", "3", "Pipeline")
    b = _instance("20", "70", "30", "Pipeline")
    assert compare(a, b) == []
    renamed = _instance("20", "70", "30", "Pipeline v2")
    kinds = {(d.type, d.kind) for d in compare(a, renamed)}
    assert kinds == {("dashboards", "missing"), ("dashboards", "extra")}
    moved = _instance("20", "70", "30", "Pipeline")
    moved["folders"]["21"] = {"id": "21", "name": "Other", "parent_id": "1"}
    moved["dashboards"]["30"]["folder_id"] = "21"
    assert ("dashboards", "missing") in {(d.type, d.kind) for d in compare(a, moved)}


def _tile(tile_id: str, title: str, fields: list[str], look_id: str | None = None) -> Any:
    query = {"model": "m", "view": "v", "fields": fields}
    tile: dict[str, Any] = {"id": tile_id, "type": "vis", "title": title}
    return tile | ({"look_id": look_id} if look_id else {"query_id": "1", "query": query})


def test_tiles_pair_by_content_then_by_title_and_source_then_by_title() -> None:
    backed_up = [
        _tile("1", "Revenue", ["v.a"]),
        _tile("2", "Orders", ["v.b"]),
        _tile("3", "Top looks", [], look_id="40"),
        _tile("4", "Revenue", ["v.a"]),
        _tile("5", "Gone", ["v.z"]),
    ]
    target = [
        _tile("91", "Orders", ["v.b", "v.c"]),  # its query changed: same title, type
        _tile("92", "Revenue", ["v.a"]),
        _tile("93", "Top looks", [], look_id="400"),  # the look, translated
        {**_tile("94", "Revenue", ["v.a"]), "note_text": "edited"},  # same title and source
    ]

    def translate(type_name: str, value: str) -> str:
        return {"40": "400"}.get(value, value)

    found = pairing.elements(backed_up, target, translate)

    assert found == {"1": "92", "2": "91", "3": "93", "4": "94"}


def test_filters_pair_by_name_and_board_items_within_their_paired_section() -> None:
    assert pairing.filters([{"id": "1", "name": "Region"}], [{"id": "8", "name": "Region"}]) == {
        "1": "8"
    }
    board = {
        "board_sections": [
            {"id": "1", "title": "Start", "board_items": [{"id": "11", "dashboard_id": "5"}]}
        ]
    }
    theirs = {
        "board_sections": [
            {"id": "7", "title": "Other", "board_items": [{"id": "70", "dashboard_id": "55"}]},
            {"id": "8", "title": "Start", "board_items": [{"id": "80", "dashboard_id": "55"}]},
        ]
    }

    def translate(type_name: str, value: str) -> str:
        return "55" if (type_name, value) == ("dashboards", "5") else value

    found = pairing.holder_parts("boards", board, theirs, translate)

    assert found == {("board_sections", "1"): "8", ("board_items", "11"): "80"}


def _spec_operations() -> dict[str, tuple[str, str, dict[str, Any]]]:
    spec = json.loads(SPEC.read_text(encoding="utf-8"))
    return {
        op["operationId"]: (method.upper(), path, op)
        for path, methods in spec["paths"].items()
        for method, op in methods.items()
        if isinstance(op, dict) and "operationId" in op
    }


def test_a_lost_create_is_searched_for_only_by_parameters_the_list_call_has() -> None:
    operations = _spec_operations()
    for ct in REGISTRY:
        _, _, operation = operations[ct.list_op]
        parameters = {p["name"] for p in operation.get("parameters", [])}
        assert set(ct.searched_by) <= parameters, ct.name


def test_every_call_restore_treats_as_deniable_is_one_the_spec_says_core_may_deny() -> None:
    operations = _spec_operations()
    for deniable in DENIABLE.values():
        for operation_id in deniable.operations:
            description = operations[operation_id][2]["description"]
            assert "Looker (Google Cloud core)" in description, operation_id


def test_the_lookml_route_is_taken_from_release_22_8_on() -> None:
    assert lookml_route("22.8.73") and lookml_route("25.20.17") and lookml_route("100.0")
    assert not lookml_route("22.6.12") and not lookml_route("21.20")
    assert not lookml_route(None) and not lookml_route("unknown")


def test_a_tile_on_a_look_that_is_nowhere_shows_the_looks_stored_query_or_nothing() -> None:
    query = {"model": "m", "view": "v", "fields": ["v.count"], "client_id": "x", "id": "4"}
    kept = {"id": "1", "type": "vis", "look_id": "9", "result_maker": {"query": query}}
    bare = {"id": "2", "type": "vis", "look_id": "9", "result_maker": {"query": None}}
    gone = lambda _type, _id: None  # noqa: E731

    made = canonical.element_form(kept, gone, None)

    assert "look_id" not in made and made["query"] == canonical.query_definition(query)
    assert canonical.left_out(canonical.element_form(bare, gone, None))
    assert not canonical.left_out(canonical.element_form(bare, same, None))
    dashboard = {"dashboard_elements": [kept, bare], "dashboard_layouts": []}
    assert len(canonical.dashboard_children(dashboard, gone)["dashboard_elements"]) == 1
