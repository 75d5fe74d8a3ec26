"""Natural keys that tell items apart: two backed-up items are never paired with one target
item, whatever the id map knows."""

from __future__ import annotations

from pathlib import Path

from looker_sdk import models40 as m

from lookervault.local.standin import StandIn
from lookervault.restore.plan import quieted
from tests.restore.conftest import Restore, differences, extract_items, read_items, writes
from tests.restore.test_migrate import only_backed_up
from tests.support.looker_fixtures import sdk_for


def test_two_same_named_plans_of_one_user_on_two_same_titled_dashboards_are_both_restored(
    looker_a: StandIn, looker_b: StandIn, restore: Restore, tmp_path: Path
) -> None:
    sdk = sdk_for(looker_a)
    found = sdk.search_dashboards(fields="id,title,folder_id")
    dashboards = [d for d in found if str(d.id).isdigit()]
    first, second = dashboards[:2]
    elsewhere_folder = next(d.folder_id for d in dashboards if d.folder_id != first.folder_id)
    sdk.update_dashboard(
        str(second.id), m.WriteDashboard(title=first.title, folder_id=elsewhere_folder)
    )
    owner = sdk.all_users(fields="id")[1].id
    for dashboard in (first, second):
        plan = m.WriteScheduledPlan(
            name="Weekly KPIs",
            user_id=owner,
            dashboard_id=dashboard.id,
            crontab="0 6 * * 1",
            scheduled_plan_destination=[
                m.ScheduledPlanDestination(format="csv", type="email", address="a@example.com")
            ],
        )
        sdk.create_scheduled_plan(plan)
    backup = tmp_path / "a.db"
    extract_items(looker_a, backup)
    assert restore(looker_b, "--db", str(backup), "--yes").code == 0
    # Another restore state: no id map knows the plans, so each is paired by its natural key.
    elsewhere = {"LOOKERVAULT_STATE_DIR": str(tmp_path / "elsewhere")}
    looker_b.clear_exchanges()

    again = restore(looker_b, "--db", str(backup), "--yes", env=elsewhere)

    assert again.code == 0, again.err
    assert writes(looker_b) == []
    restored = extract_items(looker_b, tmp_path / "b.db")
    named = [p for p in restored["scheduled_plans"].values() if p["name"] == "Weekly KPIs"]
    assert len(named) == 2 and len({p["dashboard_id"] for p in named}) == 2
    assert only_backed_up(differences(quieted(read_items(backup)), restored, "lenient")) == []
