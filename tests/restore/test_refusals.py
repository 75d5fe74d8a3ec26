"""What Looker refuses, or says it did without doing: a call Looker (Google Cloud core) may
deny ends its part with a note and never fails what depends on it; folder access Looker did
not take as written fails the folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from lookervault.local.standin import Profile, SeedSize, StandIn
from lookervault.restore.denials import DENIABLE
from tests.restore.conftest import Restore, read_items, writes
from tests.support.looker_fixtures import StandInFactory


@pytest.fixture
def profile() -> Profile:
    """The backup and `looker_b` come from a classic Looker; each test makes its own refusals
    (the core target is made explicitly)."""
    return "lenient"


def test_into_looker_core_role_groups_and_email_logins_end_in_notes_not_failures(
    backup: Path, standin_factory: StandInFactory, restore: Restore
) -> None:
    core = standin_factory(seed=SeedSize.empty(), seed_value=1, profile="core")
    backed_up = read_items(backup)
    assert any(r.get("group_ids") for r in backed_up["roles"].values())

    done = restore(core, "--db", str(backup), "--yes", "--json")

    assert done.code == 0, done.err
    report = done.json()
    assert report["failures"] == []
    for part in ("role_groups", "email_logins", "login_user"):
        assert any(DENIABLE[part].note in note for note in report["notes"]), part
    waiting = [i for i in report["items"] if (i["error"] or "").startswith("needs ")]
    assert waiting == []
    assert report["counts"]["users"]["created"] == len(backed_up["users"]) - 1
    refused = [e for e in core.exchanges if e.status == 403]
    assert refused == [e for e in refused if e.path.endswith("/credentials_email/search")]


def test_a_refusal_met_while_writing_is_a_note_and_the_next_plan_knows_it(
    backup: Path, looker_b: StandIn, restore: Restore
) -> None:
    """An edition that refuses set_role_groups without refusing the probe: the role is kept,
    its users and their content are not held back, and the refusal is remembered."""
    looker_b.faults.fail_requests("PUT", "/roles/*/groups", times=None, status=403)

    done = restore(looker_b, "--db", str(backup), "--yes", "--json")

    assert done.code == 0, done.err
    report = done.json()
    roles = [i for i in report["items"] if i["type"] == "roles" and i["result"] == "created"]
    assert roles and report["failures"] == []
    noted = [i for i in roles if DENIABLE["role_groups"].note in i["notes"]]
    assert noted
    assert any(DENIABLE["role_groups"].note in note for note in report["done_notes"])
    assert {i["result"] for i in report["items"] if i["type"] == "users"} <= {
        "created",
        "unchanged",
    }

    looker_b.clear_exchanges()
    again = restore(looker_b, "--db", str(backup), "--dry-run", "--json")

    assert again.code == 0, again.err
    assert any(DENIABLE["role_groups"].note in note for note in again.json()["notes"])
    assert all(s["action"] in ("unchanged", "skip") for s in again.json()["steps"])
    assert writes(looker_b) == []


def test_folder_access_looker_did_not_take_as_written_fails_the_folder(
    backup: Path, looker_b: StandIn, restore: Restore
) -> None:
    """Looker answers the removal of an access entry but keeps it (a parent's access it will
    not narrow, silently): read back, the difference fails the folder instead of leaving it
    open to more people than the backup says."""
    looker_b.faults.fail_requests("DELETE", "/content_metadata_access/*", times=None, status=204)

    done = restore(looker_b, "folders", "--db", str(backup), "--yes", "--json")

    assert done.code == 1
    failed = done.json()["failures"]
    assert failed and {f["type"] for f in failed} == {"folders"}
    assert all("Looker holds other access" in f["error"] for f in failed)
