"""`snapshot browse`, driven headless with textual's Pilot against the emulator and the Looker
stand-in: navigate, filter, preview from metadata, and each action (asking first)."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import google.cloud.storage as storage
import pytest
from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Sparkline, Static

from lookervault.cli.browser import Confirm, Prompt, Showing, SnapshotBrowser
from lookervault.config import load_settings
from lookervault.gcs import make_client
from lookervault.local.standin import StandIn
from lookervault.snapshot.integrity import digest_file
from tests.snapshot.conftest import Run
from tests.snapshot.standin_backups import SEED, back_up, change_everything
from tests.support.fault_proxy import FaultProxy
from tests.support.looker_fixtures import (
    StandInFactory,
    sdk_env,
    standin_factory,  # noqa: F401
)

WRITES = frozenset({"POST", "PATCH", "PUT", "DELETE"})
Scenario = Callable[[SnapshotBrowser, Pilot[None]], Awaitable[None]]


@pytest.fixture
def looker(standin_factory: StandInFactory) -> StandIn:  # noqa: F811
    return standin_factory(seed=SEED)


def drive(tmp_path: Path, scenario: Scenario) -> SnapshotBrowser:
    """Run the browser headless on the configured bucket and play `scenario` on it."""
    app = SnapshotBrowser(load_settings(), make_client(), download_dir=tmp_path)

    async def play() -> None:
        async with app.run_test(size=(150, 50)) as pilot:
            await until(pilot, lambda: app.listed and not app.busy, "the listing")
            await scenario(app, pilot)

    asyncio.run(play())
    return app


async def until(pilot: Pilot[None], condition: Callable[[], Any], what: str) -> None:
    deadline = time.monotonic() + 60
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await pilot.pause(0.05)


def text(widget: Static) -> str:
    console = Console(width=200, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(widget.content)
    return console.export_text()


def writes(standin: StandIn) -> list[str]:
    return [
        f"{e.method} {e.path}"
        for e in standin.exchanges
        if e.method in WRITES and not e.path.endswith(("/login", "/logout"))
    ]


def test_without_a_terminal_it_says_so_and_exits_2(run: Run, bucket: storage.Bucket) -> None:
    done = run("snapshot", "browse")

    assert done.code == 2
    assert "needs a terminal" in done.err


def test_without_the_browse_extra_it_says_how_to_install_it_and_exits_2() -> None:
    """`pip install lookervault` leaves textual out; a process in which textual cannot be
    imported (None in sys.modules, Python's own way to block an import) is such an install.
    The job image, a real one, is checked in tests/deploy/test_job_image.py."""
    script = (
        "import sys\n"
        "sys.modules['textual'] = None\n"
        "from lookervault.cli import main\n"
        "sys.exit(main(['snapshot', 'browse']))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)

    assert done.returncode == 2, done.stderr
    assert "needs the terminal browser's library (textual)" in done.stderr
    assert "pip install 'lookervault[browse]'" in done.stderr
    assert "Traceback" not in done.stderr


def test_navigate_filter_and_preview_from_metadata_only(
    looker: StandIn, bucket: storage.Bucket, fault_proxy: FaultProxy, tmp_path: Path
) -> None:
    first, second = back_up(looker), back_up(looker)
    counts = looker.counts()
    fault_proxy.reset()

    async def scenario(app: SnapshotBrowser, pilot: Pilot[None]) -> None:
        table = app.query_one("#snapshots", DataTable)
        preview = app.query_one("#preview", Static)
        assert table.row_count == 2
        assert second in text(preview) and "#1" in text(preview)
        rows = [line.replace("│", " ").split() for line in text(preview).splitlines()]
        for type_name, count in counts.items():
            assert [type_name, f"{count:,}"] in rows, type_name

        await pilot.press("down")
        assert first in text(preview) and "#2" in text(preview)
        await pilot.press("up")
        assert second in text(preview)

        older = app.listed[1].snapshot.timestamp.strftime("%H:%M:%S")
        await pilot.press(*older)
        assert app.query_one("#filter", Input).value == older
        assert table.row_count == 1 and first in text(preview)
        await pilot.press("escape")
        assert table.row_count == 2
        await pilot.press(*"no such snapshot")
        assert table.row_count == 0 and "No snapshot matches" in text(preview)
        await pilot.press("escape")

        sizes = app.query_one("#sizes", Sparkline).data
        items = app.query_one("#items", Sparkline).data
        listed = list(reversed(app.listed))
        assert sizes == [float(i.snapshot.size_bytes) for i in listed]
        assert items == [float(sum(counts.values()))] * 2

    drive(tmp_path, scenario)
    assert fault_proxy.count(method="GET", query="alt=media") == 0, "browsing downloaded"


def test_diff_with_the_previous_snapshot(
    looker: StandIn, bucket: storage.Bucket, tmp_path: Path
) -> None:
    back_up(looker)
    changes = change_everything(looker)
    back_up(looker)

    async def scenario(app: SnapshotBrowser, pilot: Pilot[None]) -> None:
        await pilot.press("f2")
        await until(pilot, lambda: isinstance(app.screen, Showing), "the diff")
        shown = text(app.screen.query_one("#body", Static))
        assert "Renamed after the backup" in shown and f"was {changes.old_title!r}" in shown
        for type_name, item_id, kind in changes.expected():
            assert f"{kind:<12} {type_name} {item_id} " in shown
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, Showing), "the diff to close")

        await pilot.press("down", "f2")
        await until(pilot, lambda: "oldest snapshot" in app.last_message, "the refusal")

    drive(tmp_path, scenario)


def test_a_confirmed_download_is_a_verified_file_and_escape_cancels_one(
    looker: StandIn, bucket: storage.Bucket, tmp_path: Path
) -> None:
    name = back_up(looker)

    async def scenario(app: SnapshotBrowser, pilot: Pilot[None]) -> None:
        await pilot.press("f3")
        await until(pilot, lambda: isinstance(app.screen, Prompt), "the path prompt")
        await pilot.press("escape")
        await until(pilot, lambda: "cancelled" in app.last_message, "the cancel")
        assert list(tmp_path.glob("*.db")) == []

        await pilot.press("f3")
        await until(pilot, lambda: isinstance(app.screen, Prompt), "the path prompt")
        await pilot.press("enter")
        await until(pilot, lambda: app.last_message.startswith("Downloaded"), "the download")

    app = drive(tmp_path, scenario)
    snap = app.listed[0].snapshot
    assert name.endswith(snap.filename)
    downloaded = tmp_path / snap.filename.removesuffix(".gz")
    assert digest_file(downloaded).sha256 == snap.metadata["lookervault-raw-sha256"]


def test_escape_cancels_a_delete_and_a_protected_snapshot_is_refused(
    looker: StandIn, bucket: storage.Bucket, tmp_path: Path
) -> None:
    back_up(looker)
    back_up(looker)
    names = sorted(blob.name for blob in bucket.client.list_blobs(bucket.name))

    async def scenario(app: SnapshotBrowser, pilot: Pilot[None]) -> None:
        await pilot.press("f8")
        await until(pilot, lambda: isinstance(app.screen, Confirm), "the question")
        await pilot.press("escape")
        await until(pilot, lambda: "Delete cancelled" in app.last_message, "the cancel")
        assert sorted(b.name for b in bucket.client.list_blobs(bucket.name)) == names

        await pilot.press("down", "f5")
        await until(pilot, lambda: isinstance(app.screen, Prompt), "the reason prompt")
        await pilot.press(*"before the migration", "enter")
        await until(pilot, lambda: app.listed[1].snapshot.protected, "the protection")
        preview = text(app.query_one("#preview", Static))
        assert "#2 " in preview and "yes: before the migration" in preview
        await pilot.press("f8")
        await until(pilot, lambda: "is protected" in app.last_message, "the refusal")

        await pilot.press("up", "f8")
        await until(pilot, lambda: isinstance(app.screen, Confirm), "the question")
        await pilot.press("y")
        await until(pilot, lambda: len(app.listed) == 1, "the delete")
        assert app.listed[0].snapshot.protected

        await pilot.press("f5")
        await until(pilot, lambda: isinstance(app.screen, Confirm), "the question")
        await pilot.press("y")
        await until(pilot, lambda: not app.listed[0].snapshot.protected, "the unprotection")

    app = drive(tmp_path, scenario)
    left = [b.name for b in bucket.client.list_blobs(bucket.name)]
    assert left == [app.listed[0].snapshot.name] == [min(names)]
    audit = (tmp_path / "state" / "lookervault" / "audit.jsonl").read_text()
    actions = [json.loads(line)["action"] for line in audit.splitlines()]
    assert actions == ["snapshot.protected", "snapshot.deleted", "snapshot.unprotected"]


def test_restore_shows_the_plan_before_anything_is_written(
    looker: StandIn,
    bucket: storage.Bucket,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for key, value in sdk_env(looker).items():
        monkeypatch.setenv(key, value)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.setenv("LOOKERVAULT_WORK_DIR", str(work))
    back_up(looker)
    changes = change_everything(looker)
    looker.clear_exchanges()

    async def scenario(app: SnapshotBrowser, pilot: Pilot[None]) -> None:
        await pilot.press("f4")
        await until(pilot, lambda: isinstance(app.screen, Confirm), "the plan")
        plan = text(app.screen.query_one("#body", Static))
        assert "Plan" in plan and "update" in plan and "the same instance" in plan
        assert writes(looker) == [], "written before the answer"
        await pilot.press("escape")
        await until(pilot, lambda: "Restore cancelled" in app.last_message, "the cancel")
        assert writes(looker) == []

        await pilot.press("f4")
        await until(pilot, lambda: isinstance(app.screen, Confirm), "the plan")
        await pilot.press("y")
        await until(pilot, lambda: app.last_message.startswith("Restored"), "the restore")

    app = drive(tmp_path, scenario)
    assert "0 item(s) failed" in app.last_message
    assert writes(looker)
    titles = {str(d["id"]): d["title"] for d in looker.items("dashboards")}
    assert titles[changes.renamed[1]] == changes.old_title
    trashed = next(d for d in looker.items("dashboards") if str(d["id"]) == changes.trashed[1])
    assert not trashed.get("deleted")
    assert list(work.iterdir()) == [], "the downloaded snapshot was left behind"
