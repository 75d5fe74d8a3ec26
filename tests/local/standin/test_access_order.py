"""Folder access top-down (strict): a subfolder gives no group or user less access than its
parent folder until the parent has been narrowed; lenient takes access changes in any order."""

from __future__ import annotations

from typing import Any

import pytest

from lookervault.local.standin import SeedSize, StandIn
from tests.support.looker_fixtures import StandInFactory, raw_call

LEVELS = {"view": 1, "edit": 2}
ALL_USERS = "1"


def narrower_than_parent(standin: StandIn) -> list[str]:
    """Content metadata ids of folders that give someone less access than their parent does
    (the parent's own entries, or those of the record it inherits from)."""
    metas = {m["id"]: m for m in standin.items("content_metadata")}
    access: dict[str, dict[tuple[Any, Any], str]] = {}
    for entry in standin.items("content_metadata_access"):
        principal = (entry["group_id"], entry["user_id"])
        access.setdefault(entry["content_metadata_id"], {})[principal] = entry["permission_type"]
    narrower = []
    for meta in metas.values():
        if meta["inherits"] or meta["parent_id"] is None:
            continue
        parent = metas[meta["parent_id"]]
        source = parent["inheriting_id"] if parent["inherits"] else parent["id"]
        own = access.get(meta["id"], {})
        if any(
            LEVELS[level] > LEVELS.get(own.get(principal, ""), 0)
            for principal, level in access.get(source, {}).items()
        ):
            narrower.append(meta["id"])
    return narrower


@pytest.mark.parametrize("seed_value", [0, 1, 2])
def test_a_strict_seed_gives_no_folder_less_access_than_its_parent(seed_value: int) -> None:
    strict = StandIn(seed=SeedSize.scaled(60), seed_value=seed_value, profile="strict")
    restricted = [
        m for m in strict.items("content_metadata") if not m["inherits"] and m["parent_id"]
    ]
    assert len(restricted) >= 5
    assert narrower_than_parent(strict) == []
    lenient = StandIn(seed=SeedSize.scaled(60), seed_value=seed_value)
    assert narrower_than_parent(lenient), "the lenient seed no longer needs the strict draw"


def _entries(standin: StandIn, meta_id: str) -> dict[str, dict[str, Any]]:
    """A record's entries by group id."""
    found = raw_call(standin, "GET", f"/content_metadata_access?content_metadata_id={meta_id}")
    return {e["group_id"]: e for e in found.json() if e["group_id"]}


def _folder(standin: StandIn, name: str, parent_id: str) -> dict[str, Any]:
    answer = raw_call(standin, "POST", "/folders", {"name": name, "parent_id": parent_id})
    assert answer.status_code == 200, answer.text
    folder: dict[str, Any] = answer.json()
    return folder


def _set_level(standin: StandIn, entry: dict[str, Any], level: str) -> int:
    path = f"/content_metadata_access/{entry['id']}"
    return raw_call(standin, "PUT", path, {"permission_type": level}).status_code


def _delete(standin: StandIn, entry: dict[str, Any]) -> int:
    return raw_call(standin, "DELETE", f"/content_metadata_access/{entry['id']}").status_code


def _stop_inheriting(standin: StandIn, folder: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Turn the folder's inheritance off (it copies its parent's access) and add a group."""
    meta_id = folder["content_metadata_id"]
    answer = raw_call(standin, "PATCH", f"/content_metadata/{meta_id}", {"inherits": False})
    assert answer.status_code == 200, answer.text
    grant = {"content_metadata_id": meta_id, "permission_type": "view", "group_id": "2"}
    assert raw_call(standin, "POST", "/content_metadata_access", grant).status_code == 200
    return _entries(standin, meta_id)


def test_lenient_narrows_a_subfolder_before_its_parent(standin_factory: StandInFactory) -> None:
    standin = standin_factory()
    entries = _stop_inheriting(standin, _folder(standin, "Finance", "1"))
    assert _set_level(standin, entries[ALL_USERS], "view") == 200
    assert _delete(standin, entries[ALL_USERS]) == 204


def test_strict_narrows_a_subfolder_only_after_its_parent(
    standin_factory: StandInFactory,
) -> None:
    standin = standin_factory(profile="strict")
    finance = _folder(standin, "Finance", "1")
    entries = _stop_inheriting(standin, finance)
    child = entries[ALL_USERS]
    assert child["permission_type"] == "edit"
    path = f"/content_metadata_access/{child['id']}"
    lowered = raw_call(standin, "PUT", path, {"permission_type": "view"})
    assert lowered.status_code == 422
    assert "parent folder" in lowered.json()["errors"][0]["message"]
    assert _delete(standin, child) == 422
    assert _entries(standin, finance["content_metadata_id"])[ALL_USERS] == child

    shared = _entries(standin, "1")[ALL_USERS]
    assert _set_level(standin, shared, "view") == 200
    assert _set_level(standin, child, "view") == 200
    assert _delete(standin, child) == 422
    assert _delete(standin, shared) == 204
    assert _delete(standin, child) == 204
    assert ALL_USERS not in _entries(standin, finance["content_metadata_id"])


def test_strict_compares_with_what_an_inheriting_parent_inherits(
    standin_factory: StandInFactory,
) -> None:
    standin = standin_factory(profile="strict")
    team = _folder(standin, "Team", "1")
    reports = _folder(standin, "Reports", team["id"])
    entries = _stop_inheriting(standin, reports)
    assert _delete(standin, entries[ALL_USERS]) == 422
    assert _set_level(standin, entries[ALL_USERS], "edit") == 200
    assert _set_level(standin, entries["2"], "edit") == 200
    assert _delete(standin, entries["2"]) == 204
