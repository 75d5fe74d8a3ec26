"""The diff of two backups of one instance, as pure logic: what counts as a change."""

from __future__ import annotations

from typing import Any

from lookervault.looker.diff import diff_items, field_changes, item_change

Json = dict[str, Any]


def _dashboard(**fields: Any) -> Json:
    base: Json = {
        "id": "7",
        "title": "Sales",
        "folder_id": "3",
        "deleted": False,
        "view_count": 1,
        "updated_at": "2026-01-01T00:00:00Z",
        "dashboard_elements": [
            {"id": "1", "title": "Revenue", "look": {"id": "4", "view_count": 1}},
            {"id": "2", "title": "Orders"},
        ],
    }
    return base | fields


def test_fields_looker_maintains_are_no_change_at_any_depth() -> None:
    old = _dashboard()
    new = _dashboard(view_count=9, updated_at="2026-02-01T00:00:00Z", last_viewed_at="x")
    new["dashboard_elements"][0]["look"]["view_count"] = 5

    assert item_change("dashboards", "7", old, new) is None
    assert diff_items({"dashboards": {"7": old}}, {"dashboards": {"7": new}}).changes == ()
    assert {f.path for f in field_changes(old, new) if f.ignored} == {
        "view_count",
        "updated_at",
        "last_viewed_at",
        "dashboard_elements[id=1].look.view_count",
    }
    assert [f for f in field_changes(old, new) if not f.ignored] == []


def test_a_change_names_its_top_level_fields_and_the_old_title() -> None:
    old = _dashboard()
    new = _dashboard(title="Sales (old)", folder_id="5")
    new["dashboard_elements"][1]["title"] = "Orders per day"

    change = item_change("dashboards", "7", old, new)

    assert change is not None
    assert (change.kind, change.title, change.old_title) == ("changed", "Sales (old)", "Sales")
    assert change.fields == ("dashboard_elements", "folder_id", "title")
    paths = {f.path: (f.old, f.new) for f in field_changes(old, new) if not f.ignored}
    assert paths == {
        "dashboard_elements[id=2].title": ("Orders", "Orders per day"),
        "folder_id": ("3", "5"),
        "title": ("Sales", "Sales (old)"),
    }


def test_parts_are_matched_by_id_whatever_their_order() -> None:
    old = _dashboard()
    new = _dashboard()
    new["dashboard_elements"] = [new["dashboard_elements"][1], {"id": "9", "title": "New tile"}]

    found = {(f.path, f.absent_before, f.absent_after) for f in field_changes(old, new)}

    assert found == {
        ("dashboard_elements[id=1]", False, True),
        ("dashboard_elements[id=9]", True, False),
    }


def test_the_trash_is_its_own_kind_of_change() -> None:
    trashed = item_change("dashboards", "7", _dashboard(), _dashboard(deleted=True, title="X"))
    back = item_change("dashboards", "7", _dashboard(deleted=True), _dashboard())

    assert trashed is not None and (trashed.kind, trashed.fields) == ("soft-deleted", ("title",))
    assert back is not None and (back.kind, back.fields) == ("undeleted", ())


def test_added_and_removed_items_and_the_types_chosen() -> None:
    old = {"dashboards": {"7": _dashboard()}, "looks": {"4": {"id": "4", "title": "L"}}}
    new = {"dashboards": {"8": _dashboard(id="8", title="New")}, "looks": {}}

    everything = diff_items(old, new)
    only_looks = diff_items(old, new, ["looks"])

    assert [(c.type, c.id, c.kind) for c in everything.changes] == [
        ("looks", "4", "removed"),
        ("dashboards", "7", "removed"),
        ("dashboards", "8", "added"),
    ]
    assert everything.counts() == {
        "looks": {"removed": 1},
        "dashboards": {"removed": 1, "added": 1},
    }
    assert [(c.type, c.id) for c in only_looks.changes] == [("looks", "4")]
    removed = field_changes(old["looks"]["4"], None)
    assert {(f.path, f.old, f.absent_after) for f in removed} == {
        ("id", "4", True),
        ("title", "L", True),
    }


def test_ids_sort_as_numbers() -> None:
    old = {"looks": {str(i): {"id": str(i), "title": "t"} for i in (2, 10, 1)}}

    changes = diff_items(old, {}).changes

    assert [c.id for c in changes] == ["1", "2", "10"]


def test_favourites_and_a_folders_access_are_changes_too() -> None:
    favourite = {"id": "5", "user_id": "2", "dashboard_id": "7", "content_metadata_id": "40"}
    folder = {
        "id": "3",
        "name": "Finance",
        "content_metadata": {"id": "9", "inherits": False},
        "content_metadata_access": [{"id": "1", "permission_type": "view", "group_id": "4"}],
    }
    opened = folder | {"content_metadata": {"id": "9", "inherits": True}}
    old = {"content_favorites": {"5": favourite}, "folders": {"3": folder}}
    new: dict[str, dict[str, Json]] = {"content_favorites": {}, "folders": {"3": opened}}

    found = {(c.type, c.id): c for c in diff_items(old, new).changes}

    assert found[("content_favorites", "5")].kind == "removed"
    assert found[("folders", "3")].fields == ("content_metadata",)
