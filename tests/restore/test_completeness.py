"""What a restore used to leave out comes back: a role's groups, who may see a folder, people's
favourites, merged-results tiles in another instance."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from lookervault.local.standin import Profile, StandIn
from lookervault.looker.compare import compare
from lookervault.restore.plan import quieted
from tests.restore.conftest import (
    EVERY_PROFILE,
    Items,
    Restore,
    differences,
    extract_items,
    read_items,
    restored_users,
    writes,
)
from tests.support.looker_fixtures import raw_call, sdk_for


def _shared_folders_with_access(items: Items) -> list[dict[str, Any]]:
    return [
        f
        for f in items["folders"].values()
        if (f.get("content_metadata") or {}).get("inherits") is False
        and f.get("content_metadata_access")
        and not f.get("is_shared_root")
    ]


def damage_access_roles_and_favourites(standin: StandIn, items: Items) -> None:
    """Take a role's groups away (where Looker lets a client: not in Looker core), rewrite who
    may see two folders (widening them: Looker refuses to narrow a subfolder below its
    parent), drop favourites."""
    if standin.profile != "core":
        role = next(r for r in items["roles"].values() if r.get("group_ids"))
        assert raw_call(standin, "PUT", f"/roles/{role['id']}/groups", []).ok

    first, second = _shared_folders_with_access(items)[:2]
    viewer = next(
        (e for e in first["content_metadata_access"] if e["permission_type"] == "view"), None
    )
    if viewer is not None:
        body = {"permission_type": "edit"}
        assert raw_call(standin, "PUT", f"/content_metadata_access/{viewer['id']}", body).ok
    stranger = next(
        u["id"]
        for u in items["users"].values()
        if u["id"] not in {e.get("user_id") for e in first["content_metadata_access"]}
    )
    body = {
        "content_metadata_id": first["content_metadata_id"],
        "permission_type": "edit",
        "user_id": stranger,
    }
    assert raw_call(standin, "POST", "/content_metadata_access", body).ok
    metadata = second["content_metadata_id"]
    assert raw_call(standin, "PATCH", f"/content_metadata/{metadata}", {"inherits": True}).ok

    sdk = sdk_for(standin)
    for favourite in list(items["content_favorites"].values())[:3]:
        sdk.delete_content_favorite(favourite["id"])


@EVERY_PROFILE
def test_role_groups_folder_access_and_favourites_come_back(
    looker_a: StandIn, backup: Path, restore: Restore, tmp_path: Path, profile: Profile
) -> None:
    before = read_items(backup)
    assert _shared_folders_with_access(before)[1:], "the seed has too few folders with access"
    damage_access_roles_and_favourites(looker_a, before)
    kinds = ["roles", "folders", "content_favorites"]
    assert compare(before, extract_items(looker_a, tmp_path / "broken.db"), kinds)

    done = restore(looker_a, "--db", str(backup), "--yes", "--json")

    assert done.code == 0, done.err
    assert differences(before, extract_items(looker_a, tmp_path / "after.db"), profile) == []
    favourites = {i["result"] for i in done.json()["items"] if i["type"] == "content_favorites"}
    assert ("skipped" in favourites) is (profile == "core")  # core: login_user is refused
    looker_a.clear_exchanges()
    again = restore(looker_a, "--db", str(backup), "--yes")
    assert again.code == 0, again.err
    assert writes(looker_a) == []


@EVERY_PROFILE
def test_another_instance_gets_role_groups_access_favourites_and_merged_tiles(
    backup: Path, looker_b: StandIn, restore: Restore, tmp_path: Path, profile: Profile
) -> None:
    before = read_items(backup)
    merged = _merged_tiles(before)
    assert merged, "the seed has no merged-results tile"

    done = restore(looker_b, "--db", str(backup), "--yes", "--json")

    assert done.code == 0, done.err
    restored = extract_items(looker_b, tmp_path / "b.db")
    kinds = ["roles", "folders", "content_favorites", "dashboards"]
    users = restored_users(done.json(), before, restored)
    found = differences(quieted(before), restored, profile, kinds, users)
    assert [d for d in found if d.kind != "extra"] == []
    assert len(_merged_tiles(restored)) == len(merged)
    if profile != "core":
        assert len(restored["content_favorites"]) == len(before["content_favorites"])


def _merged_tiles(items: Items) -> list[dict[str, Any]]:
    return [
        e
        for d in items["dashboards"].values()
        for e in d["dashboard_elements"]
        if e.get("merge_result_id")
    ]


def _without_merge_queries(backup: Path, into: Path) -> None:
    """The backup as LookerVault made it before it stored merge queries (and LookML)."""
    into.write_bytes(backup.read_bytes())
    with sqlite3.connect(into) as conn:
        rows = conn.execute("select id, data from content where type = 'dashboards'").fetchall()
        for item_id, data in rows:
            dashboard = json.loads(data)
            dashboard.pop("lookml", None)
            for element in dashboard["dashboard_elements"]:
                element.pop("merge_query", None)
            conn.execute(
                "update content set data = ? where type = 'dashboards' and id = ?",
                (json.dumps(dashboard), item_id),
            )


def test_merged_tiles_an_old_backup_cannot_rebuild_are_named_before_anything_is_written(
    backup: Path, looker_b: StandIn, restore: Restore, tmp_path: Path
) -> None:
    old = tmp_path / "old.db"
    _without_merge_queries(backup, old)
    merged = _merged_tiles(read_items(old))
    assert merged

    planned = restore(looker_b, "--db", str(old), "--dry-run", "--json")

    assert planned.code == 0, planned.err
    note = next(n for n in planned.json()["notes"] if "merged-results tile" in n)
    assert f"{len(merged)} merged-results tile(s)" in note
    for tile in merged:
        assert repr(tile.get("title") or tile.get("title_text") or tile["id"]) in note
    assert writes(looker_b) == []

    done = restore(looker_b, "--db", str(old), "--yes", "--json")

    assert done.code == 0, done.err
    restored = extract_items(looker_b, tmp_path / "b.db")
    assert _merged_tiles(restored) == []
    wanted = sum(len(d["dashboard_elements"]) for d in read_items(old)["dashboards"].values())
    got = sum(len(d["dashboard_elements"]) for d in restored["dashboards"].values())
    assert got == wanted - len(merged)
