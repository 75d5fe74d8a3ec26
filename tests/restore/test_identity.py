"""One Looker instance, whatever URL reaches it: restore decides same or another instance from
what the instance says of itself, says why, and obeys --same-instance / --other-instance."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from looker_sdk import models40 as m

from lookervault.errors import UsageError
from lookervault.local.standin import SeedSize, StandIn
from lookervault.looker.compare import compare
from lookervault.restore.identity import SAMPLE, Fingerprint, decide, fingerprint
from tests.restore.conftest import Restore, extract_items, read_items, writes
from tests.support.fault_proxy import FaultProxy
from tests.support.looker_fixtures import StandInFactory, sdk_for

CREATED = "2023-04-01T10:00:00.000+00:00"
LATER = "2024-09-30T08:30:00.000+00:00"


def test_matching_creation_times_make_one_instance_whatever_the_urls() -> None:
    prints = Fingerprint(agreeing=40, differing=2)
    found = decide(prints, "looker.example.com", "proxy.internal:8443", "a", "b")
    assert found.same and found.basis == "content"
    assert "40 of 42" in found.reason and "proxy.internal:8443" in found.reason
    configured = ("looker.example.com", "looker.example.com")
    assert decide(prints, "x", "y", "a", "b", configured=configured).same


def test_agreeing_content_under_two_configured_urls_is_refused_as_a_possible_clone() -> None:
    prints = Fingerprint(agreeing=40)
    with pytest.raises(UsageError) as caught:
        decide(prints, None, None, "a", "b", configured=("prod.example.com", "stage.example.com"))
    said = str(caught.value)
    assert "prod.example.com" in said and "stage.example.com" in said
    assert "--other-instance" in said and "--same-instance" in said
    assert not decide(prints, None, None, "a", "b", False, ("p", "s")).same


def test_a_new_instance_at_the_old_url_is_another_instance() -> None:
    found = decide(Fingerprint(agreeing=1, differing=9), "x.looker.com", "x.looker.com", "h", "h")
    assert not found.same and found.basis == "content"


def test_without_items_to_compare_the_instance_url_decides_then_the_url_host() -> None:
    assert decide(Fingerprint(), "x.looker.com", "x.looker.com", "a:19999", "b").same
    assert not decide(Fingerprint(), "x.looker.com", "y.looker.com", "h", "h").same
    by_host = decide(Fingerprint(), None, "y.looker.com", "h", "h")
    assert by_host.same and by_host.basis == "url"
    assert not decide(Fingerprint(), None, None, "h", "other").same


def test_an_override_wins_both_ways() -> None:
    agreeing = Fingerprint(agreeing=10)
    other = decide(agreeing, "x", "x", "h", "h", override=False)
    assert not other.same and other.basis == "override" and "--other-instance" in other.reason
    assert decide(Fingerprint(differing=10), None, None, "a", "b", override=True).same


def test_the_fingerprint_compares_items_held_under_one_id_by_creation_time() -> None:
    source = {
        "users": {"1": {"credentials_email": {"created_at": CREATED}}, "2": {}},
        "folders": {"1": {"created_at": CREATED}, "5": {"created_at": CREATED}},
        "dashboards": {"7": {"created_at": CREATED}},
    }
    target = {
        "users": {"1": {"credentials_email": {"created_at": "2023-04-01T10:00:00+00:00"}}},
        "folders": {"1": {"created_at": LATER}},
        "dashboards": {"8": {"created_at": CREATED}},
    }
    assert fingerprint(source, target) == Fingerprint(agreeing=1, differing=1)


def test_the_fingerprint_compares_a_sample_of_each_type_not_every_item() -> None:
    mine = {"dashboards": {str(i): {"created_at": CREATED} for i in range(SAMPLE + 50)}}
    theirs = {"dashboards": {str(i): {"created_at": CREATED} for i in range(10, SAMPLE + 60)}}
    assert fingerprint(mine, theirs) == Fingerprint(agreeing=SAMPLE)


@pytest.fixture
def second_url(looker_a: StandIn) -> Iterator[str]:
    """Another way into instance A: a proxy on another port."""
    with FaultProxy(looker_a.base_url) as proxy:
        yield proxy.url


def _break(standin: StandIn, backup: Path) -> None:
    """Lose a schedule, an alert and a dashboard's title after the backup."""
    items = read_items(backup)
    sdk = sdk_for(standin)
    sdk.delete_scheduled_plan(next(iter(items["scheduled_plans"])))
    alert = next(a for a in items["alerts"].values() if a.get("dashboard_element_id"))
    sdk.delete_alert(alert["id"])
    dashboard = next(d for d in items["dashboards"].values() if not d["deleted"])
    sdk.update_dashboard(dashboard["id"], m.WriteDashboard(title="Renamed by mistake"))


def test_a_restore_through_a_second_url_is_the_same_instance(
    looker_a: StandIn, backup: Path, second_url: str, restore: Restore, tmp_path: Path
) -> None:
    _break(looker_a, backup)
    looker_a.clear_exchanges()

    done = restore(
        looker_a, "--db", str(backup), "--yes", "--json", env={"LOOKERSDK_BASE_URL": second_url}
    )

    assert done.code == 0, done.err
    report = done.json()
    assert report["same_instance"] is True
    assert report["instance"]["basis"] == "content"
    assert report["failures"] == []
    assert all("may deny" in note or "denies" in note for note in report["notes"])
    results = {(i["type"], i["id"]): i["result"] for i in report["items"]}
    written = {key for key, result in results.items() if result in ("created", "updated")}
    assert {k[0] for k in written} == {"scheduled_plans", "alerts", "dashboards"}
    assert compare(read_items(backup), extract_items(looker_a, tmp_path / "after.db")) == []
    assert looker_a.deliveries == []


def test_the_plan_says_what_it_decided_and_why(
    looker_a: StandIn, backup: Path, second_url: str, restore: Restore
) -> None:
    done = restore(
        looker_a, "--db", str(backup), "--dry-run", env={"LOOKERSDK_BASE_URL": second_url}
    )

    assert done.code == 0, done.err
    assert "the same instance" in done.out
    assert "were created at the same moment" in done.out


def test_other_instance_override_on_the_same_instance(
    looker_a: StandIn, backup: Path, restore: Restore
) -> None:
    _break(looker_a, backup)
    looker_a.clear_exchanges()

    done = restore(looker_a, "--db", str(backup), "--dry-run", "--json", "--other-instance")

    assert done.code == 0, done.err
    plan = done.json()
    assert plan["same_instance"] is False
    assert plan["instance"] == {
        "same_instance": False,
        "basis": "override",
        "reason": "--other-instance was given",
    }
    assert any("created disabled" in note for note in plan["notes"])
    assert writes(looker_a) == []


def test_same_instance_override_into_another_instance(
    backup: Path, looker_b: StandIn, restore: Restore
) -> None:
    decided = restore(looker_b, "--db", str(backup), "--dry-run", "--json")
    assert decided.json()["instance"]["same_instance"] is False
    assert decided.json()["instance"]["basis"] == "content"

    forced = restore(looker_b, "--db", str(backup), "--dry-run", "--json", "--same-instance")

    assert forced.code == 0, forced.err
    assert forced.json()["instance"]["basis"] == "override"
    assert forced.json()["same_instance"] is True


def test_a_copy_of_the_instance_under_another_url_stops_the_restore_before_any_write(
    backup: Path, standin_factory: StandInFactory, restore: Restore, tmp_path: Path
) -> None:
    """A staging instance made from a copy of production's database: same ids, same creation
    moments, another configured URL. Same-instance rules would bring schedules back enabled
    there, so the restore asks instead of guessing."""
    clone = standin_factory(seed=SeedSize(), seed_value=0, host_url="https://staging.example")
    _break(clone, backup)
    clone.clear_exchanges()

    for args in (("--dry-run",), ("--yes",)):
        refused = restore(clone, "--db", str(backup), *args)
        assert refused.code == 2, refused.err
        assert "staging.example" in refused.err and "127.0.0.1" in refused.err
        assert "--other-instance" in refused.err and "--same-instance" in refused.err
    assert writes(clone) == []

    done = restore(clone, "--db", str(backup), "--yes", "--json", "--other-instance")

    assert done.code == 0, done.err
    plans = {p["name"]: p for p in clone.items("scheduled_plans")}
    lost = next(iter(read_items(backup)["scheduled_plans"].values()))
    assert plans[lost["name"]]["enabled"] is False
    assert clone.deliveries == []
