"""Snapshots of a Looker stand-in made by the backup job's own code, and the changes a test
makes to the stand-in between two of them."""

from __future__ import annotations

from dataclasses import dataclass

from looker_sdk import models40 as m

from lookervault.backup.job import Task, backup_instance
from lookervault.config import load_settings
from lookervault.gcs import make_client
from lookervault.local.standin import SeedSize, StandIn
from lookervault.local.standin.sdk import StandInSettings
from tests.support.looker_fixtures import sdk_for

SEED = SeedSize.scaled(6)
TASK = Task(job="lookervault-backup", execution="test-1", index=0, count=1, attempt=0)


def back_up(standin: StandIn) -> str:
    """Extract `standin` and upload it as the job does (counts in the metadata); its gs:// path."""
    settings = load_settings()
    summary = backup_instance(
        settings, settings.instance, StandInSettings(standin), TASK, make_client()
    )
    return str(summary["gcs_path"])


@dataclass(frozen=True)
class Changes:
    """What `change_everything` did, as (type, id) per kind of change."""

    added: tuple[str, str]
    removed: tuple[str, str]
    renamed: tuple[str, str]
    old_title: str
    trashed: tuple[str, str]
    undeleted: tuple[str, str]

    def expected(self) -> set[tuple[str, str, str]]:
        return {
            (*self.added, "added"),
            (*self.removed, "removed"),
            (*self.renamed, "changed"),
            (*self.trashed, "soft-deleted"),
            (*self.undeleted, "undeleted"),
        }


def change_everything(standin: StandIn) -> Changes:
    """One change of each kind, through the real SDK: a new dashboard, a deleted schedule, a
    renamed dashboard, a dashboard moved to the trash and a look taken out of it. The targets
    are on no board, so no other item holds a copy of what changed."""
    sdk = sdk_for(standin)
    on_boards = {
        str(item.get("dashboard_id"))
        for board in standin.items("boards")
        for section in board.get("board_sections") or []
        for item in section.get("board_items") or []
    }
    live = [
        d
        for d in standin.items("dashboards")
        if not d.get("deleted") and str(d["id"]) not in on_boards
    ]
    renamed, trashed = live[0], live[1]
    trashed_look = next(look for look in standin.items("looks") if look.get("deleted"))
    plan = standin.items("scheduled_plans")[0]

    created = sdk.create_dashboard(
        m.WriteDashboard(title="Added after the backup", folder_id=renamed["folder_id"])
    )
    sdk.delete_scheduled_plan(plan["id"])
    sdk.update_dashboard(renamed["id"], m.WriteDashboard(title="Renamed after the backup"))
    sdk.update_dashboard(trashed["id"], m.WriteDashboard(deleted=True))
    sdk.update_look(trashed_look["id"], m.WriteLookWithQuery(deleted=False))
    return Changes(
        added=("dashboards", str(created.id)),
        removed=("scheduled_plans", str(plan["id"])),
        renamed=("dashboards", str(renamed["id"])),
        old_title=str(renamed["title"]),
        trashed=("dashboards", str(trashed["id"])),
        undeleted=("looks", str(trashed_look["id"])),
    )
