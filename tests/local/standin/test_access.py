"""Content metadata and content access: a record per folder, dashboard, look and board kept
true as content changes, inheritance, and the access entries of content that does not
inherit."""

from __future__ import annotations

import looker_sdk
import pytest
from looker_sdk import models40 as m
from looker_sdk.sdk.api40.methods import Looker40SDK

from lookervault.local.standin import Delivery, StandIn
from tests.support.looker_fixtures import StandInFactory, raw_call


def _codes(call: object) -> list[tuple[str, str]]:
    assert callable(call)
    with pytest.raises(looker_sdk.error.SDKError) as raised:
        call()
    return [(e.field, e.code) for e in raised.value.errors]


def _grant(
    sdk: Looker40SDK,
    meta_id: str,
    permission: str = "view",
    group_id: str | None = None,
    user_id: str | None = None,
) -> m.ContentMetaGroupUser:
    body = m.ContentMetaGroupUser(
        content_metadata_id=meta_id,
        permission_type=m.PermissionType(permission),
        group_id=group_id,
        user_id=user_id,
    )
    return sdk.create_content_metadata_access(body)


def test_every_folder_dashboard_look_and_board_has_its_record(
    standin: StandIn, sdk: Looker40SDK
) -> None:
    shared = sdk.folder("1")
    root = sdk.content_metadata(shared.content_metadata_id)
    assert (root.content_type, root.folder_id, root.name) == ("space", "1", "Shared")
    assert root.inherits is False and root.parent_id is None and root.inheriting_id is None
    (everyone,) = sdk.all_content_metadata_accesses(root.id)
    assert (everyone.group_id, everyone.permission_type, everyone.id) == (
        "1",
        m.PermissionType.edit,
        "1",
    )
    dashboard = sdk.dashboard(standin.items("dashboards")[0]["id"])
    meta = sdk.content_metadata(dashboard.content_metadata_id)
    folder = sdk.folder(dashboard.folder_id)
    assert (meta.content_type, meta.dashboard_id, meta.name) == (
        "dashboard",
        dashboard.id,
        dashboard.title,
    )
    assert meta.parent_id == folder.content_metadata_id and meta.slug == dashboard.slug
    assert meta.inherits is True and sdk.all_content_metadata_accesses(meta.id) == []
    look = standin.items("looks")[0]
    assert sdk.content_metadata(look["content_metadata_id"]).look_id == look["id"]
    board = standin.items("boards")[0]
    board_meta = sdk.content_metadata(board["content_metadata_id"])
    assert (board_meta.homepage_id, board_meta.parent_id) == (board["id"], None)
    folders = {f.name for f in sdk.search_folders(parent_id="1")}
    in_root = sdk.all_content_metadatas(parent_id=root.id, fields="id,name")
    assert standin.exchanges[-1].json()[0].keys() == {"id", "name"}
    assert {c.name for c in in_root} >= folders
    types = {r["content_type"] for r in standin.items("content_metadata")}
    assert types == {"space", "dashboard", "look", "board"}


def test_content_inherits_from_its_nearest_folder_with_access_of_its_own(
    standin: StandIn, sdk: Looker40SDK
) -> None:
    closed = next(
        r for r in standin.items("content_metadata") if r["parent_id"] and not r["inherits"]
    )
    own = sdk.all_content_metadata_accesses(closed["id"])
    assert 1 <= len(own) <= 3
    assert closed["inheriting_id"] is None
    sub = sdk.create_folder(m.CreateFolder(name="Below", parent_id=closed["folder_id"]))
    deeper = sdk.create_folder(m.CreateFolder(name="Deeper", parent_id=sub.id))
    look = sdk.create_look(m.WriteLookWithQuery(title="L", folder_id=deeper.id, query_id="1"))
    meta = sdk.content_metadata(look.content_metadata_id)
    assert meta.inheriting_id == closed["id"]
    assert meta.parent_id == deeper.content_metadata_id
    open_folder = sdk.content_metadata(
        sdk.folder(standin.items("folders")[-1]["id"]).content_metadata_id
    )
    assert open_folder.inherits and open_folder.inheriting_id


def test_records_follow_content_as_it_is_made_renamed_moved_and_deleted(
    standin: StandIn, sdk: Looker40SDK
) -> None:
    top = sdk.create_folder(m.CreateFolder(name="Top", parent_id="1"))
    sub = sdk.create_folder(m.CreateFolder(name="Sub", parent_id=top.id))
    dashboard = sdk.create_dashboard(m.WriteDashboard(title="D", folder_id=sub.id))
    meta = sdk.content_metadata(dashboard.content_metadata_id)
    assert meta.parent_id == sub.content_metadata_id and meta.dashboard_id == dashboard.id
    sdk.update_folder(sub.id, m.UpdateFolder(name="Renamed", parent_id="1"))
    moved = sdk.content_metadata(sub.content_metadata_id)
    assert (moved.name, moved.parent_id) == ("Renamed", sdk.folder("1").content_metadata_id)
    sdk.update_dashboard(dashboard.id, m.WriteDashboard(deleted=True))
    assert sdk.content_metadata(dashboard.content_metadata_id).name == "D"
    sdk.delete_dashboard(dashboard.id)
    with pytest.raises(looker_sdk.error.SDKError):
        sdk.content_metadata(dashboard.content_metadata_id)
    inner = sdk.create_folder(m.CreateFolder(name="Inner", parent_id=top.id))
    sdk.delete_folder(top.id)
    gone = {top.content_metadata_id, inner.content_metadata_id}
    assert gone.isdisjoint(r["id"] for r in standin.items("content_metadata"))
    board = sdk.create_board(m.WriteBoard(title="New board"))
    assert sdk.content_metadata(board.content_metadata_id).homepage_id == board.id
    user = sdk.create_user(m.WriteUser(first_name="Pat"))
    personal = sdk.folder(user.personal_folder_id)
    assert sdk.content_metadata(personal.content_metadata_id).folder_id == personal.id


def test_inheritance_turned_off_keeps_the_access_and_on_drops_it(
    standin: StandIn, sdk: Looker40SDK
) -> None:
    folder = sdk.create_folder(m.CreateFolder(name="Private", parent_id="1"))
    meta_id = folder.content_metadata_id
    with pytest.raises(looker_sdk.error.SDKError):
        _grant(sdk, meta_id, group_id="2")
    assert standin.exchanges[-1].json()["errors"][0]["field"] == "content_metadata_id"
    closed = sdk.update_content_metadata(meta_id, m.WriteContentMeta(inherits=False))
    assert closed.inherits is False and closed.inheriting_id is None
    copied = sdk.all_content_metadata_accesses(meta_id)
    assert [(a.group_id, a.permission_type) for a in copied] == [("1", m.PermissionType.edit)]
    assert copied[0].id != "1"
    sdk.update_content_metadata(meta_id, m.WriteContentMeta(inherits=True))
    assert sdk.all_content_metadata_accesses(meta_id) == []
    dashboard = standin.items("dashboards")[0]
    assert _codes(
        lambda: sdk.update_content_metadata(
            dashboard["content_metadata_id"], m.WriteContentMeta(inherits=False)
        )
    ) == [("inherits", "invalid")]
    shared_meta = sdk.folder("1").content_metadata_id
    assert _codes(
        lambda: sdk.update_content_metadata(shared_meta, m.WriteContentMeta(inherits=True))
    ) == [("inherits", "invalid")]
    board = standin.items("boards")[0]
    board_meta = sdk.update_content_metadata(
        board["content_metadata_id"], m.WriteContentMeta(inherits=False)
    )
    assert board_meta.inherits is False
    assert sdk.all_content_metadata_accesses(board_meta.id) == []


def test_access_entries_are_made_changed_and_removed(standin: StandIn, sdk: Looker40SDK) -> None:
    folder = sdk.create_folder(m.CreateFolder(name="Team", parent_id="1"))
    meta_id = folder.content_metadata_id
    sdk.update_content_metadata(meta_id, m.WriteContentMeta(inherits=False))
    group = sdk.create_group(m.WriteGroup(name="Analysts"))
    entry = _grant(sdk, meta_id, "view", group_id=group.id)
    assert (entry.content_metadata_id, entry.group_id, entry.user_id) == (meta_id, group.id, None)
    user_entry = _grant(sdk, meta_id, "edit", user_id="2")
    changed = sdk.update_content_metadata_access(
        entry.id,
        m.ContentMetaGroupUser(
            content_metadata_id=meta_id, permission_type=m.PermissionType.edit, group_id=group.id
        ),
    )
    assert changed.permission_type == m.PermissionType.edit
    listed = sdk.all_content_metadata_accesses(meta_id, fields="id,permission_type")
    edit = m.PermissionType.edit
    assert {(a.id, a.permission_type) for a in listed} >= {(entry.id, edit), (user_entry.id, edit)}
    sdk.delete_content_metadata_access(user_entry.id)
    with pytest.raises(looker_sdk.error.SDKError):
        sdk.delete_content_metadata_access(user_entry.id)
    assert standin.exchanges[-1].status == 404
    sdk.delete_group(group.id)
    assert entry.id not in {a["id"] for a in standin.items("content_metadata_access")}


def test_access_entries_are_checked(standin: StandIn, sdk: Looker40SDK) -> None:
    closed = next(
        r for r in standin.items("content_metadata") if r["parent_id"] and not r["inherits"]
    )
    meta_id = closed["id"]
    taken = sdk.all_content_metadata_accesses(meta_id)[0]
    principal = {"group_id": taken.group_id} if taken.group_id else {"user_id": taken.user_id}
    assert _codes(lambda: _grant(sdk, meta_id, "edit", **principal)) == [
        (next(iter(principal)), "already_exists")
    ]
    assert _codes(lambda: _grant(sdk, meta_id, "view", group_id="2", user_id="2")) == [
        ("group_id", "invalid")
    ]
    assert _codes(lambda: _grant(sdk, meta_id, "view")) == [("group_id", "missing")]
    assert _codes(lambda: _grant(sdk, meta_id, "view", group_id="424242")) == [
        ("group_id", "invalid")
    ]
    assert _codes(lambda: _grant(sdk, meta_id, "view", user_id="424242")) == [
        ("user_id", "invalid")
    ]
    assert _codes(lambda: _grant(sdk, "424242", "view", user_id="2")) == [
        ("content_metadata_id", "invalid")
    ]
    hidden = sdk.create_group(
        m.WriteGroup(name="Not for content", can_add_to_content_metadata=False)
    )
    assert _codes(lambda: _grant(sdk, meta_id, "view", group_id=hidden.id)) == [
        ("group_id", "invalid")
    ]
    missing = raw_call(
        standin,
        "POST",
        "/content_metadata_access",
        {"content_metadata_id": meta_id, "user_id": "3"},
    )
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "permission_type"


def test_lists_need_a_known_content_and_a_body_a_known_permission(
    standin_factory: StandInFactory,
) -> None:
    standin = standin_factory(check_spec=False)
    assert raw_call(standin, "GET", "/content_metadata").status_code == 400
    assert raw_call(standin, "GET", "/content_metadata_access").status_code == 400
    assert raw_call(standin, "GET", "/content_metadata?parent_id=424242").status_code == 404
    path = "/content_metadata_access?content_metadata_id=424242"
    assert raw_call(standin, "GET", path).status_code == 404
    body = {"content_metadata_id": "1", "user_id": "3", "permission_type": "own"}
    wrong = raw_call(standin, "POST", "/content_metadata_access", body)
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "permission_type"


def test_only_a_board_notification_asked_for_is_a_delivery(
    standin: StandIn, sdk: Looker40SDK
) -> None:
    board = standin.items("boards")[0]
    meta_id = board["content_metadata_id"]
    sdk.update_content_metadata(meta_id, m.WriteContentMeta(inherits=False))
    body = m.ContentMetaGroupUser(
        content_metadata_id=meta_id, permission_type=m.PermissionType.view, group_id="2"
    )
    sdk.create_content_metadata_access(body, send_boards_notification_email=False)
    body.group_id = "3"
    sdk.create_content_metadata_access(body)
    assert standin.deliveries == []
    body.group_id = "4"
    sdk.create_content_metadata_access(body, send_boards_notification_email=True)
    assert standin.deliveries == [
        Delivery("boards_notification_email", board["id"], {"group_id": "4"})
    ]
    folder = sdk.create_folder(m.CreateFolder(name="Mailed", parent_id="1"))
    sdk.update_content_metadata(folder.content_metadata_id, m.WriteContentMeta(inherits=False))
    body = m.ContentMetaGroupUser(
        content_metadata_id=folder.content_metadata_id,
        permission_type=m.PermissionType.view,
        group_id="2",
    )
    sdk.create_content_metadata_access(body, send_boards_notification_email=True)
    assert len(standin.deliveries) == 1
