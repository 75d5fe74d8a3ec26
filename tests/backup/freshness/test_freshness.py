"""`backup status --max-age`: fresh, old and missing snapshots per configured instance, with
creation times chosen through the proxy (the emulator stamps every upload with its own time)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import google.cloud.storage as storage
import pytest

from lookervault.backup.freshness import judge
from lookervault.config import load_settings
from lookervault.local.sample import make_sample_db
from lookervault.snapshot.catalog import INCOMPLETE_KEY, Snapshot
from lookervault.snapshot.upload import upload_snapshot
from tests.support.cli import Result, run_cli
from tests.support.fault_proxy import FaultProxy

NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)
INSTANCES = json.dumps(
    [
        {"name": "emea", "base_url": "https://emea.example.com"},
        {"name": "apac", "base_url": "https://apac.example.com"},
    ]
)


def snapshot(hours_old: float, incomplete: bool = False) -> Snapshot:
    created = NOW - timedelta(hours=hours_old)
    return Snapshot(
        name=f"snapshots/x/looker-{created:%Y-%m-%dT%H-%M-%S}.db.gz",
        instance="x",
        filename="f",
        timestamp=created,
        created=created,
        generation=1,
        size_bytes=1,
        crc32c="",
        metadata={INCOMPLETE_KEY: "killed"} if incomplete else {},
    )


def test_the_newest_complete_snapshot_decides() -> None:
    limit = timedelta(hours=26)
    assert judge("x", [snapshot(30), snapshot(2)], limit, NOW).fresh
    assert not judge("x", [snapshot(30), snapshot(27)], limit, NOW).fresh
    old = judge("x", [snapshot(30), snapshot(1, incomplete=True)], limit, NOW)
    assert not old.fresh and old.age == timedelta(hours=30)
    none = judge("x", [], limit, NOW)
    assert not none.fresh and none.newest is None and none.age is None


@pytest.fixture
def instances(bucket: storage.Bucket, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOOKERVAULT_INSTANCES", INSTANCES)


def upload(proxy: FaultProxy, bucket: str, instance: str, hours_old: float, tmp: Path) -> str:
    database = tmp / f"{instance}-{hours_old}.db"
    make_sample_db(database, 16 * 1024)
    settings = load_settings(bucket=bucket, instance=instance)
    result = upload_snapshot(storage.Client(project="test-project"), settings, database)
    proxy.backdate({result.name: datetime.now(UTC) - timedelta(hours=hours_old)})
    return result.name


def status(*args: str) -> Result:
    return run_cli("backup", "status", "--json", *args)


@pytest.mark.usefixtures("instances")
def test_every_instance_fresh_passes(
    fault_proxy: FaultProxy, bucket: storage.Bucket, tmp_path: Path
) -> None:
    upload(fault_proxy, bucket.name, "emea", 30, tmp_path)
    upload(fault_proxy, bucket.name, "emea", 3, tmp_path)
    upload(fault_proxy, bucket.name, "apac", 20, tmp_path)

    done = status("--max-age", "26h")

    assert done.code == 0, done.err
    report = done.json()
    assert report["fresh"] is True and report["max_age_seconds"] == 26 * 3600
    ages = {i["instance"]: i["age_seconds"] for i in report["instances"]}
    assert abs(ages["emea"] - 3 * 3600) < 600 and abs(ages["apac"] - 20 * 3600) < 600
    assert report["last_execution"] is None  # no Cloud Run job configured on this host


@pytest.mark.usefixtures("instances")
def test_an_old_or_missing_instance_fails_naming_it(
    fault_proxy: FaultProxy, bucket: storage.Bucket, tmp_path: Path
) -> None:
    upload(fault_proxy, bucket.name, "emea", 30, tmp_path)

    done = status("--max-age", "1d")

    assert done.code == 1
    report = done.json()
    assert report["fresh"] is False
    assert {i["instance"]: i["fresh"] for i in report["instances"]} == {
        "emea": False,
        "apac": False,
    }
    assert [i["newest"] for i in report["instances"] if i["instance"] == "apac"] == [None]
    assert "emea, apac" in done.err

    table = run_cli("backup", "status", "--max-age", "1d")
    assert table.code == 1
    assert "STALE (over 1d)" in table.out and "none" in table.out


def test_a_bad_duration_exits_2(bucket: storage.Bucket) -> None:
    done = status("--max-age", "yesterday")
    assert done.code == 2 and "--max-age 'yesterday' is not a duration" in done.err
