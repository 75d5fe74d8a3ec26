"""Restore straight from a snapshot in Cloud Storage (the emulator): only what was asked for
is written, a damaged snapshot restores nothing, and no temporary files remain."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import google.cloud.storage as storage
import pytest
from looker_sdk import models40 as m

from lookervault.cli import main
from lookervault.local.standin import Profile, StandIn
from lookervault.looker.compare import compare
from tests.restore.conftest import (
    EVERY_PROFILE,
    Restore,
    extract_items,
    read_items,
    restore_env,
    writes,
)
from tests.support.looker_fixtures import sdk_for

DASHBOARD_PATHS = re.compile(
    r"^(POST|PATCH|PUT|DELETE) /(dashboards|dashboard_elements|dashboard_filters|"
    r"dashboard_layouts|dashboard_layout_components|queries)(/|$)"
)


@pytest.fixture
def work_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where restore keeps its private download; must be empty again after every run."""
    path = tmp_path / "work"
    path.mkdir()
    monkeypatch.setenv("LOOKERVAULT_WORK_DIR", str(path))
    return path


@pytest.fixture
def uploaded(backup: Path, bucket: storage.Bucket) -> str:
    assert main(["snapshot", "upload", "--source", str(backup)]) == 0
    (blob,) = list(bucket.list_blobs())
    return str(blob.name)


@EVERY_PROFILE
def test_only_dashboards_and_what_they_need_are_written(
    looker_a: StandIn,
    backup: Path,
    uploaded: str,
    work_dir: Path,
    restore: Restore,
    tmp_path: Path,
    profile: Profile,
) -> None:
    before = read_items(backup)
    sdk = sdk_for(looker_a)
    live = sorted((i for i, d in before["dashboards"].items() if not d["deleted"]), key=int)
    sdk.delete_dashboard(live[0])
    sdk.delete_dashboard_element(before["dashboards"][live[1]]["dashboard_elements"][0]["id"])
    look = next(i for i, lk in before["looks"].items() if not lk["deleted"])
    sdk.update_look(look, m.WriteLookWithQuery(title="Renamed and left alone"))
    looker_a.clear_exchanges()

    done = restore(looker_a, "dashboards", "--from-snapshot", "1", "--yes", "--json")

    assert done.code == 0, done.err
    written = writes(looker_a)
    assert written, "the restore wrote nothing"
    assert [w for w in written if not DASHBOARD_PATHS.match(w)] == []
    after = extract_items(looker_a, tmp_path / "after.db")
    assert compare(before, after, ["dashboards"]) == []
    assert after["looks"][look]["title"] == "Renamed and left alone"
    assert list(work_dir.iterdir()) == []


def test_a_damaged_snapshot_restores_nothing(
    looker_a: StandIn,
    uploaded: str,
    bucket: storage.Bucket,
    work_dir: Path,
    restore: Restore,
) -> None:
    blob = bucket.get_blob(uploaded)
    assert blob is not None
    data = bytearray(blob.download_as_bytes(raw_download=True))
    data[len(data) // 2] ^= 0xFF
    damaged = bucket.blob(uploaded)
    damaged.metadata = blob.metadata
    damaged.upload_from_string(bytes(data), content_type="application/gzip")
    live = [d["id"] for d in looker_a.items("dashboards") if not d["deleted"]]
    sdk_for(looker_a).delete_dashboard(live[0])  # so a restore that went on would write
    looker_a.clear_exchanges()

    done = restore(looker_a, "--from-snapshot", "1", "--yes")

    assert done.code == 1
    assert "damaged" in done.err or "mismatch" in done.err
    assert writes(looker_a) == []
    assert list(work_dir.iterdir()) == []


def test_latest_and_a_missing_snapshot(
    looker_a: StandIn, uploaded: str, work_dir: Path, restore: Restore
) -> None:
    assert restore(looker_a, "--from-snapshot", "latest", "--dry-run").code == 0
    missing = restore(looker_a, "--from-snapshot", "2", "--dry-run")
    assert missing.code == 3 and "snapshot list" in missing.err
    assert list(work_dir.iterdir()) == []


def test_ctrl_c_during_a_restore_from_a_snapshot_leaves_no_download_behind(
    looker_a: StandIn, uploaded: str, work_dir: Path
) -> None:
    looker_a.faults.latency_s = 0.05
    command = [sys.executable, "-m", "lookervault", "restore", "--from-snapshot", "1", "--dry-run"]
    env = {**restore_env(looker_a), "LOOKERVAULT_WORK_DIR": str(work_dir)}
    child = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not list(work_dir.glob("*/looker.db")) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert list(work_dir.glob("*/looker.db")), "the snapshot never arrived"
    child.send_signal(signal.SIGINT)
    _, err = child.communicate(timeout=60)
    assert child.returncode == 2, err  # cancelled, per the exit code contract
    assert "Traceback" not in err
    assert list(work_dir.iterdir()) == []


def test_every_write_is_one_audit_event(
    looker_a: StandIn, backup: Path, restore: Restore, tmp_path: Path
) -> None:
    live = [d["id"] for d in looker_a.items("dashboards") if not d["deleted"]]
    sdk_for(looker_a).delete_dashboard(live[0])
    looker_a.clear_exchanges()

    done = restore(looker_a, "dashboards", "--db", str(backup), "--yes", "--json")

    assert done.code == 0, done.err
    log = tmp_path / "state" / "lookervault" / "audit.jsonl"
    events = [json.loads(line) for line in log.read_text().splitlines()]
    written = writes(looker_a)
    assert len(events) == len(written) == done.json()["write_requests"] > 0
    methods = {"POST": "restore.created", "PATCH": "restore.updated", "PUT": "restore.updated"}
    methods["DELETE"] = "restore.deleted"
    # Calls of one item run side by side, so events and requests are compared as sets.
    sent = sorted((methods[r.split(" ", 1)[0]], r.split(" ", 1)[1]) for r in written)
    audited = sorted((e["action"], e["object"].split("/", 3)[3]) for e in events)
    assert audited == [(action, path.lstrip("/")) for action, path in sent]
    refused = {
        (e.method, e.path.removeprefix("/api/4.0")) for e in looker_a.exchanges if e.status == 422
    }
    failed = {
        (e["details"]["method"], e["object"].split("/", 3)[3])
        for e in events
        if e["outcome"] == "failure"
    }
    assert {(m, "/" + p) for m, p in failed} == refused  # strict: a look refused on a tile
    assert {e["outcome"] for e in events} == ({"success", "failure"} if refused else {"success"})
    assert {e["details"]["type"] for e in events} == {"dashboards"}
