"""The restore drill: a good snapshot passes, one that cannot be restored faithfully fails
naming the item, and the scheduled job logs one structured line per instance."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import google.cloud.storage as storage
import pytest

from lookervault.cli import main
from lookervault.local.standin import SeedSize, StandIn
from lookervault.local.standin.sdk import StandInSettings
from lookervault.looker.extract import extract
from tests.restore.conftest import writes
from tests.support.cli import Result
from tests.support.looker_fixtures import (
    StandInFactory,
    sdk_env,
    standin_factory,  # noqa: F401
)
from tests.support.structured_logs import LABELS, parse_entries


@pytest.fixture
def source(standin_factory: StandInFactory) -> StandIn:  # noqa: F811
    return standin_factory()


@pytest.fixture
def backup(source: StandIn, tmp_path: Path) -> Path:
    path = tmp_path / "a.db"
    extract(path, settings=StandInSettings(source), workers=4)
    return path


def looker_ini(standin: StandIn, path: Path) -> Path:
    lines = [f"{k.removeprefix('LOOKERSDK_').lower()}={v}" for k, v in sdk_env(standin).items()]
    path.write_text("[Looker]\n" + "\n".join(lines) + "\n")
    return path


@pytest.fixture
def work_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "work"
    path.mkdir()
    monkeypatch.setenv("LOOKERVAULT_WORK_DIR", str(path))
    return path


def upload(database: Path) -> None:
    assert main(["snapshot", "upload", "--source", str(database)]) == 0


def drill(capsys: pytest.CaptureFixture[str], *args: str) -> Result:
    capsys.readouterr()
    code = main(["drill", "--json", *args])
    out = capsys.readouterr()
    return Result(code, out.out, out.err)


def test_a_good_snapshot_passes(
    backup: Path, bucket: storage.Bucket, work_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    upload(backup)
    done = drill(capsys)
    assert done.code == 0, done.err
    report = done.json()
    assert report["passed"] is True and report["differences"] == []
    assert report["counts"]["dashboards"] == report["restored"]["dashboards"] > 0
    assert report["target"] == "a new local Looker stand-in"
    assert list(work_dir.iterdir()) == []


def test_a_snapshot_that_cannot_come_back_fails_naming_the_item(
    backup: Path, bucket: storage.Bucket, work_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with sqlite3.connect(backup) as conn:
        row = conn.execute(
            "select id, data from content where type = 'dashboards' and deleted = 0"
            " and data like '%\"query\":{%' order by cast(id as integer) limit 1"
        ).fetchone()
        dashboard = json.loads(row[1])
        tile = next(e for e in dashboard["dashboard_elements"] if e.get("query"))
        tile["query"]["fields"] = "not a list of fields"  # the target's create_query refuses it
        conn.execute(
            "update content set data = ? where type = 'dashboards' and id = ?",
            (json.dumps(dashboard), row[0]),
        )
    upload(backup)

    done = drill(capsys)

    assert done.code == 1
    report = done.json()
    assert report["passed"] is False
    assert any(dashboard["title"] in line for line in report["failures"])
    assert any(dashboard["title"] in line for line in report["differences"])
    assert "did not come back" in done.err
    assert list(work_dir.iterdir()) == []


def test_the_scheduled_drill_logs_one_structured_line_per_instance(
    backup: Path, bucket: storage.Bucket, work_dir: Path
) -> None:
    upload(backup)
    done = subprocess.run(
        [sys.executable, "-m", "lookervault.drill"],
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    (line,) = parse_entries(done.stdout)
    assert line["severity"] == "INFO" and line["message"].startswith("drill of default passed")
    assert line[LABELS] == {
        "instance": "default",
        "drill": "true",
        "python_logger": "lookervault.drill",
    }
    assert line["drill"]["passed"] is True


def test_a_target_file_wins_over_lookersdk_variables_that_name_the_source(
    source: StandIn,
    backup: Path,
    bucket: storage.Bucket,
    work_dir: Path,
    standin_factory: StandInFactory,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    upload(backup)
    scratch = standin_factory(seed=SeedSize.empty(), seed_value=5)
    ini = looker_ini(scratch, tmp_path / "scratch.ini")
    for key, value in sdk_env(source).items():  # what a shell set up for backups holds
        monkeypatch.setenv(key, value)
    source.clear_exchanges()

    done = drill(capsys, "--target-ini", str(ini))

    assert done.code == 0, done.err
    report = done.json()
    assert report["passed"] is True and report["target"] == "the Looker instance given"
    assert writes(source) == []
    assert scratch.counts()["dashboards"] == report["counts"]["dashboards"] > 0


def test_a_drill_into_the_source_itself_is_refused_saying_why(
    source: StandIn,
    backup: Path,
    bucket: storage.Bucket,
    work_dir: Path,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    upload(backup)
    source.clear_exchanges()

    done = drill(capsys, "--target-ini", str(looker_ini(source, tmp_path / "same.ini")))

    assert done.code == 2
    assert "the instance the snapshot came from" in done.err
    assert "were created at the same moment" in done.err
    assert writes(source) == []


def test_a_snapshot_of_an_instance_holding_dangling_references_passes_and_says_what_changed(
    standin_factory: StandInFactory,  # noqa: F811
    bucket: storage.Bucket,
    work_dir: Path,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    aged = standin_factory(seed=SeedSize(), seed_value=0, dangling=True)
    database = tmp_path / "aged.db"
    extract(database, settings=StandInSettings(aged), workers=4)
    upload(database)

    done = drill(capsys)

    report = done.json()
    assert done.code == 0, (report["differences"], report["failures"])
    assert report["passed"] is True and report["failures"] == []
    notes = "\n".join(report["notes"])
    gone = aged.dangling()
    assert "fallback owner" in notes and "query tile" in notes and "left out" in notes
    assert len(gone["plans_on_gone_dashboards"]) == notes.count("scheduled_plans ")
    assert report["restored"]["dashboards"] == report["counts"]["dashboards"]
