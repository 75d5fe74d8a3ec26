"""Writes that survive a Looker under load: a create that got a 5xx or a dropped connection
may or may not have happened, so it is looked up before it is sent again; one run completes,
and nothing is made twice."""

from __future__ import annotations

from pathlib import Path

import pytest

from lookervault.local.standin import Faults, Profile, SeedSize, StandIn
from lookervault.restore.plan import quieted
from tests.restore.conftest import (
    EVERY_PROFILE,
    Restore,
    differences,
    extract_items,
    read_items,
    restored_users,
    writes,
)
from tests.restore.test_migrate import assert_no_duplicates, only_backed_up
from tests.support.looker_fixtures import StandInFactory

CREATES = [
    "/folders",
    "/users",
    "/groups/*/users",
    "/roles",
    "/user_attributes",
    "/looks",
    "/dashboards/lookml",
    "/dashboards",
    "/dashboard_filters",
    "/dashboard_elements",
    "/boards",
    "/board_sections",
    "/board_items",
    "/content_metadata_access",
    "/scheduled_plans",
    "/alerts",
    "/content_favorite",
    "/login/*",
    "/queries",
]
"""Every create a rebuild makes, each with a way to find what a lost answer made."""


ELSEWHERE = [
    ("strict", "/alerts"),
    ("strict", "/content_favorite"),
    ("strict", "/login/*"),
    ("strict", "/dashboards/lookml"),
    ("strict", "/dashboard_elements"),
    ("core", "/users"),
    ("core", "/roles"),
]
"""Where a profile makes a create go otherwise: an alert fixed after its create, favourites
made as their users, the import's older answer and look tiles made anew (strict), users
without an email login and roles without groups (core)."""


@pytest.mark.parametrize(("profile", "path"), [("lenient", path) for path in CREATES] + ELSEWHERE)
def test_a_create_whose_answer_is_lost_is_found_not_made_again(
    backup: Path, looker_b: StandIn, restore: Restore, tmp_path: Path, profile: Profile, path: str
) -> None:
    looker_b.faults.fail_requests("POST", path, times=1, after_write=True)
    looker_b.faults.fail_requests("POST", path, times=1, after_write=True, drop=True)

    route = [] if path == "/dashboards/lookml" else ["--no-lookml-import"]  # parts need this
    done = restore(looker_b, "--db", str(backup), "--yes", "--json", *route)

    assert done.code == 0, done.err
    report = done.json()
    assert report["failures"] == []
    lost = [e for e in looker_b.exchanges if e.fault and "after_write" in e.fault]
    if lost:
        assert report["adopted"] + report["repeated_requests"] >= 1
    restored = extract_items(looker_b, tmp_path / "b.db")
    backed_up = read_items(backup)
    users = restored_users(report, backed_up, restored)
    assert only_backed_up(differences(quieted(backed_up), restored, profile, users=users)) == []
    assert_no_duplicates(restored, profile)
    looker_b.clear_exchanges()
    assert restore(looker_b, "--db", str(backup), "--yes").code == 0
    assert writes(looker_b) == []


@pytest.fixture
def flaky(standin_factory: StandInFactory, profile: Profile) -> StandIn:
    """A new instance under load: one request in twenty answers 503, half of those after
    doing what was asked (the answer is lost on the way back)."""
    faults = Faults(error_rate=0.05, errors_after_write=0.5, error_seed=7)
    return standin_factory(seed=SeedSize.empty(), seed_value=1, faults=faults, profile=profile)


@EVERY_PROFILE
def test_a_rebuild_into_a_looker_that_fails_one_request_in_twenty_completes_in_one_run(
    backup: Path, flaky: StandIn, restore: Restore, tmp_path: Path, profile: Profile
) -> None:
    done = restore(flaky, "--db", str(backup), "--yes", "--json")

    assert done.code == 0, done.err
    report = done.json()
    assert report["failures"] == []
    assert report["repeated_requests"] > 0
    faults = [e for e in flaky.exchanges if e.fault == "error_rate_after_write"]
    assert faults, "no write lost its answer: the test tested nothing"
    flaky.faults.error_rate = 0
    restored = extract_items(flaky, tmp_path / "b.db")
    backed_up = read_items(backup)
    assert len(restored["dashboards"]) == len(backed_up["dashboards"])
    users = restored_users(report, backed_up, restored)
    assert only_backed_up(differences(quieted(backed_up), restored, profile, users=users)) == []
    assert_no_duplicates(restored, profile)

    flaky.clear_exchanges()
    again = restore(flaky, "--db", str(backup), "--yes")

    assert again.code == 0, again.err
    assert writes(flaky) == []
