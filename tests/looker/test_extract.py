"""Extraction through the real looker_sdk against the stand-in, into real SQLite files."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from looker_sdk.rtl import api_settings

from lookervault.errors import RuntimeFailure
from lookervault.local.standin import SeedSize, StandIn
from lookervault.local.standin.sdk import StandInSettings
from lookervault.looker import store
from lookervault.looker.client import connect, load_settings
from lookervault.looker.content_types import BY_NAME
from lookervault.looker.extract import extract
from tests.looker.conftest import Extract, content


def rows_of(db_path: Path, type_name: str) -> dict[str, dict[str, Any]]:
    conn = sqlite3.connect(db_path)
    try:
        found = conn.execute(
            "select id, title, folder_id, owner_id, deleted, missing_since, data"
            " from content where type = ?",
            (type_name,),
        )
        return {
            r[0]: {
                "title": r[1],
                "folder_id": r[2],
                "owner_id": r[3],
                "deleted": r[4],
                "missing_since": r[5],
                "data": json.loads(r[6]),
            }
            for r in found
        }
    finally:
        conn.close()


def test_every_type_lands_with_the_standins_counts(
    run_extract: Extract, looker_env: StandIn, tmp_path: Path
) -> None:
    db = tmp_path / "looker.db"
    result = run_extract(db)
    expected = looker_env.counts()
    assert result.counts == expected
    assert store.content_counts(db) == expected
    assert result.looker_host == looker_env.base_url.removeprefix("http://")
    assert result.looker_version and result.looker_version != "unknown"
    for type_name in expected:
        id_field = BY_NAME[type_name].id_field
        truth = {str(item[id_field]) for item in looker_env.items(type_name)}
        assert set(rows_of(db, type_name)) == truth


def test_a_dashboard_row_holds_its_elements_filters_and_layouts(
    run_extract: Extract, looker_env: StandIn, tmp_path: Path
) -> None:
    db = tmp_path / "looker.db"
    run_extract(db, ["dashboards"])
    stored = rows_of(db, "dashboards")
    for truth in looker_env.items("dashboards"):
        row = stored[str(truth["id"])]
        elements = [_without("merge_query", e) for e in row["data"]["dashboard_elements"]]
        assert elements == truth["dashboard_elements"]
        for key in ("dashboard_filters", "dashboard_layouts"):
            assert row["data"][key] == truth[key], key
        assert row["title"] == truth["title"] and row["folder_id"] == truth["folder_id"]
    assert any(row["data"]["dashboard_elements"] for row in stored.values())
    conn = sqlite3.connect(db)
    layouts = conn.execute(
        "select count(*) from content, json_each(content.data, '$.dashboard_layouts')"
        " where content.type = ?",
        ("dashboards",),
    ).fetchone()[0]
    assert layouts == sum(len(d["dashboard_layouts"]) for d in looker_env.items("dashboards"))


def test_soft_deleted_dashboards_and_looks_are_present_and_marked(
    run_extract: Extract, looker_env: StandIn, tmp_path: Path
) -> None:
    db = tmp_path / "looker.db"
    run_extract(db, ["dashboards", "looks"])
    for type_name in ("dashboards", "looks"):
        truth = {str(i["id"]): bool(i["deleted"]) for i in looker_env.items(type_name)}
        assert any(truth.values()), f"the seed has no soft-deleted {type_name}"
        stored = rows_of(db, type_name)
        assert {i: bool(r["deleted"]) for i, r in stored.items()} == truth
        assert all(r["data"]["deleted"] == truth[i] for i, r in stored.items())


def test_groups_carry_members_and_user_attributes_their_group_values(
    run_extract: Extract, looker_env: StandIn, tmp_path: Path
) -> None:
    db = tmp_path / "looker.db"
    run_extract(db, ["groups", "user_attributes", "users"])
    members: dict[str, set[str]] = {}
    for user in looker_env.items("users"):
        for group_id in user.get("group_ids") or []:
            members.setdefault(str(group_id), set()).add(str(user["id"]))
    groups = rows_of(db, "groups")
    assert any(members.values())
    for group_id, row in groups.items():
        assert set(row["data"]["member_user_ids"]) == members.get(group_id, set())
    attributes = rows_of(db, "user_attributes")
    assert any(row["data"]["group_values"] for row in attributes.values())
    for row in attributes.values():
        assert all(v["user_attribute_id"] == row["data"]["id"] for v in row["data"]["group_values"])


def test_worker_counts_give_identical_databases(run_extract: Extract, tmp_path: Path) -> None:
    run_extract(tmp_path / "one.db", workers=1)
    run_extract(tmp_path / "eight.db", workers=8)
    one, eight = content(tmp_path / "one.db"), content(tmp_path / "eight.db")
    assert one == eight
    assert all(isinstance(row[1], str) for row in one)


def test_rerunning_on_an_unchanged_instance_changes_no_row(
    run_extract: Extract, tmp_path: Path
) -> None:
    db = tmp_path / "looker.db"
    run_extract(db)
    conn = sqlite3.connect(db)
    conn.executescript(
        "create table touched (id text);"
        "create trigger on_update after update on content begin"
        " insert into touched values (new.id); end;"
        "create trigger on_insert after insert on content begin"
        " insert into touched values (new.id); end;"
    )
    conn.close()
    second = run_extract(db, workers=2)
    assert sum(second.counts.values()) > 0
    conn = sqlite3.connect(db)
    assert conn.execute("select count(*) from touched").fetchone()[0] == 0
    runs = conn.execute("select status from runs order by id").fetchall()
    assert runs == [("complete",), ("complete",)]


def test_items_gone_from_looker_are_marked_deleted_not_dropped(
    run_extract: Extract, looker_env: StandIn, tmp_path: Path
) -> None:
    db = tmp_path / "looker.db"
    run_extract(db, ["boards", "dashboards"])
    board_id = str(looker_env.items("boards")[0]["id"])
    dashboard_id = str(looker_env.items("dashboards")[0]["id"])
    client = connect(load_settings())
    client.sdk.delete_board(board_id)
    client.sdk.delete_dashboard(dashboard_id)
    result = run_extract(db, ["boards", "dashboards"])
    assert result.missing == {"dashboards": 1, "boards": 1}
    for type_name, item_id in (("boards", board_id), ("dashboards", dashboard_id)):
        row = rows_of(db, type_name)[item_id]
        assert row["deleted"] == 1 and row["missing_since"] is not None
    truth = looker_env.counts()
    assert store.content_counts(db) == {
        "boards": truth["boards"],
        "dashboards": truth["dashboards"],
    }


def test_429s_and_intermittent_5xx_still_give_the_complete_identical_database(
    run_extract: Extract, looker_env: StandIn, tmp_path: Path
) -> None:
    run_extract(tmp_path / "clean.db")
    looker_env.faults.rate_limit_per_s = 40
    looker_env.faults.error_rate = 0.15
    faulty = run_extract(tmp_path / "faulty.db", workers=8)
    faults = [e.fault for e in looker_env.exchanges if e.fault]
    assert "rate_limit" in faults and "error_rate" in faults
    assert any(
        e.response_headers.get("Retry-After") for e in looker_env.exchanges if e.status == 429
    )
    assert faulty.retries >= len(faults)
    assert content(tmp_path / "faulty.db") == content(tmp_path / "clean.db")


def test_a_page_failing_beyond_the_retry_budget_fails_the_run_naming_type_and_offset(
    run_extract: Extract, looker_env: StandIn, tmp_path: Path
) -> None:
    db = tmp_path / "looker.db"
    looker_env.faults.fail_page("/looks/search", offset=14, times=100, status=503)
    with pytest.raises(RuntimeFailure) as caught:
        run_extract(db, ["folders", "looks"])
    assert "looks" in caught.value.message and "offset 14" in caught.value.message
    assert "--resume" in (caught.value.hint or "")
    conn = sqlite3.connect(db)
    status, errors = conn.execute("select status, errors from runs").fetchone()
    assert status == "failed" and "offset 14" in json.loads(errors)[0]


def test_settings_come_from_looker_ini(
    looker_env: StandIn, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key in ("BASE_URL", "CLIENT_ID", "CLIENT_SECRET", "VERIFY_SSL"):
        monkeypatch.delenv(f"LOOKERSDK_{key}")
    (tmp_path / "looker.ini").write_text(
        f"[Looker]\nbase_url={looker_env.base_url}\nclient_id={looker_env.client_id}\n"
        f"client_secret={looker_env.client_secret}\nverify_ssl=false\n"
    )
    settings = load_settings()
    assert isinstance(settings, api_settings.ApiSettings)
    assert connect(settings).get_json("/versions")["looker_release_version"]


def test_an_item_deleted_between_listing_and_fetching_is_reported_not_fatal(
    run_extract: Extract, looker_env: StandIn, tmp_path: Path
) -> None:
    gone = str(looker_env.items("dashboards")[3]["id"])
    looker_env.faults.fail_page(f"/dashboards/{gone}", times=1, status=404)
    result = run_extract(tmp_path / "looker.db", ["dashboards"])
    assert result.errors == [
        f"dashboards: item {gone} disappeared from Looker while being extracted"
    ]
    assert result.counts["dashboards"] == looker_env.counts()["dashboards"] - 1
    assert gone not in rows_of(tmp_path / "looker.db", "dashboards")


def test_the_client_side_rate_limit_keeps_under_the_servers(
    run_extract: Extract, looker_env: StandIn, tmp_path: Path
) -> None:
    looker_env.faults.rate_limit_per_s = 12
    result = run_extract(
        tmp_path / "looker.db", ["folders", "users", "groups"], workers=8, rate_limit_per_s=8
    )
    assert result.requests > 12, "too few requests to ever reach the server's limit"
    assert [e.path for e in looker_env.exchanges if e.status == 429] == []
    assert result.retries == 0


def _without(key: str, item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k != key}


def test_a_merged_results_tile_holds_its_merge_query_and_each_source_query(
    run_extract: Extract, looker_env: StandIn, tmp_path: Path
) -> None:
    db = tmp_path / "looker.db"
    run_extract(db, ["dashboards"])
    merges = {m["id"]: m for m in looker_env.items("merge_queries")}
    queries = {q["id"]: q for q in looker_env.items("queries")}
    tiles = [
        e
        for row in rows_of(db, "dashboards").values()
        for e in row["data"]["dashboard_elements"]
        if e.get("merge_result_id")
    ]
    assert tiles, "the seed has no merged-results tile"
    for tile in tiles:
        stored = tile["merge_query"]
        truth = merges[tile["merge_result_id"]]
        assert [_without("query", s) for s in stored["source_queries"]] == truth["source_queries"]
        for source in stored["source_queries"]:
            assert source["query"] == queries[source["query_id"]]


def test_roles_hold_their_groups_and_folders_who_may_see_them(
    run_extract: Extract, looker_env: StandIn, tmp_path: Path
) -> None:
    db = tmp_path / "looker.db"
    run_extract(db, ["roles", "folders", "content_favorites"])
    groups = {g["role_id"]: g["group_ids"] for g in looker_env.items("role_groups")}
    roles = rows_of(db, "roles")
    assert any(row["data"]["group_ids"] for row in roles.values())
    for role_id, row in roles.items():
        assert row["data"]["group_ids"] == groups.get(role_id, [])
    metadata = {m["id"]: m for m in looker_env.items("content_metadata")}
    entries = looker_env.items("content_metadata_access")
    closed = 0
    for row in rows_of(db, "folders").values():
        folder = row["data"]
        if folder.get("is_personal") or folder.get("is_users_root"):
            assert "content_metadata" not in folder  # Looker manages a user's own access
            continue
        own = metadata[folder["content_metadata_id"]]
        assert folder["content_metadata"]["inherits"] == own["inherits"]
        if own["inherits"]:  # the parent's entries, copied: not read again
            assert "content_metadata_access" not in folder
            continue
        mine = [e for e in entries if e["content_metadata_id"] == own["id"]]
        assert sorted(e["id"] for e in folder["content_metadata_access"]) == sorted(
            e["id"] for e in mine
        )
        closed += not own["inherits"]
    assert closed, "the seed has no folder that does not inherit its access"
    favourites = rows_of(db, "content_favorites")
    assert set(favourites) == {f["id"] for f in looker_env.items("content_favorites")}
    assert all(row["owner_id"] for row in favourites.values())


def test_the_backup_records_the_instance_as_it_names_itself(
    run_extract: Extract, looker_env: StandIn, tmp_path: Path
) -> None:
    db = tmp_path / "looker.db"
    run_extract(db, ["users"])
    backup = store.read_backup(db)
    assert backup.instance.host_url == looker_env.host_url
    assert backup.instance.web_server_url == looker_env.base_url


def test_credentials_that_may_not_read_settings_still_back_up(tmp_path: Path) -> None:
    with StandIn(seed=SeedSize.empty(), settings_readable=False) as standin:
        extract(tmp_path / "looker.db", ["users"], settings=StandInSettings(standin))
        backup = store.read_backup(tmp_path / "looker.db")
        assert backup.instance.host_url is None
        assert backup.instance.web_server_url == standin.base_url
