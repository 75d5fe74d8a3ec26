"""`snapshot diff` between snapshots made from the Looker stand-in: exactly what changed, and
each snapshot downloaded once (the emulator's request log, through the fault proxy)."""

from __future__ import annotations

from pathlib import Path

import google.cloud.storage as storage
import pytest

from lookervault.local.standin import StandIn
from lookervault.local.standin.sdk import StandInSettings
from lookervault.looker.extract import extract
from tests.snapshot.conftest import Run
from tests.snapshot.standin_backups import SEED, Changes, back_up, change_everything
from tests.support.cli import assert_no_traceback
from tests.support.fault_proxy import FaultProxy
from tests.support.looker_fixtures import (
    StandInFactory,
    standin_factory,  # noqa: F401
)

DOWNLOADS = dict(method="GET", query="alt=media")


@pytest.fixture
def looker(standin_factory: StandInFactory) -> StandIn:  # noqa: F811
    return standin_factory(seed=SEED)


@pytest.fixture
def two_snapshots(looker: StandIn, bucket: storage.Bucket) -> Changes:
    """Snapshot 2 (older), one change of each kind in Looker, snapshot 1 (newest)."""
    back_up(looker)
    changes = change_everything(looker)
    back_up(looker)
    return changes


def test_diff_finds_exactly_what_changed_between_two_snapshots(
    run: Run, two_snapshots: Changes
) -> None:
    done = run("snapshot", "diff", "2", "1", "--json")

    assert done.code == 0, done.err
    report = done.json()
    found = {(c["type"], c["id"], c["change"]) for c in report["changes"]}
    assert found == two_snapshots.expected()
    renamed = next(c for c in report["changes"] if c["change"] == "changed")
    assert renamed["fields"] == ["title"]
    assert renamed["old_title"] == two_snapshots.old_title
    assert renamed["title"] == "Renamed after the backup"
    assert report["counts"]["dashboards"] == {"added": 1, "changed": 1, "soft-deleted": 1}
    assert report["same_host"] is True

    text = run("snapshot", "diff", "2", "1", "dashboards")
    assert text.code == 0, text.err
    assert f"was {two_snapshots.old_title!r}" in text.out
    assert "scheduled_plans" not in text.out


def test_one_items_field_level_difference_and_no_other_change(
    run: Run, two_snapshots: Changes
) -> None:
    type_name, item_id = two_snapshots.renamed
    everything = run("snapshot", "diff", "2", "1", "--json").json()["changes"]
    others = [c for c in everything if (c["type"], c["id"]) != two_snapshots.renamed]
    assert len(others) == len(two_snapshots.expected()) - 1
    other_titles = {c["title"] for c in others}

    done = run("snapshot", "diff", "2", "1", "--id", f"{type_name}:{item_id}", "--json")

    assert done.code == 0, done.err
    report = done.json()
    assert set(report) == {"from", "to", "same_host", "item"}
    item = report["item"]
    assert (item["type"], item["id"], item["change"]) == (type_name, item_id, "changed")
    counted = [f for f in item["fields"] if not f["ignored"]]
    assert [(f["path"], f["old"], f["new"]) for f in counted] == [
        ("title", two_snapshots.old_title, "Renamed after the backup")
    ]
    assert {"updated_at", "lookml"} <= {f["path"] for f in item["fields"] if f["ignored"]}
    assert [t for t in other_titles if t in done.out] == []

    text = run("snapshot", "diff", "2", "1", "--id", f"{type_name}:{item_id}")
    assert text.code == 0, text.err
    assert f"{type_name} {item_id} 'Renamed after the backup': changed" in text.out
    assert f'title: "{two_snapshots.old_title}" -> "Renamed after the backup"' in text.out
    assert "maintained by Looker" in text.out
    assert [t for t in other_titles if t in text.out] == []


def test_a_second_diff_of_the_same_pair_downloads_nothing(
    run: Run,
    two_snapshots: Changes,
    fault_proxy: FaultProxy,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.setenv("LOOKERVAULT_WORK_DIR", str(work))
    fault_proxy.reset()

    first = run("snapshot", "diff", "2", "1", "--json")
    assert first.code == 0, first.err
    assert fault_proxy.count(**DOWNLOADS) == 2
    assert [s["downloaded"] for s in (first.json()["from"], first.json()["to"])] == [True, True]

    again = run("snapshot", "diff", "1", "2", "--json")
    assert again.code == 0, again.err
    assert fault_proxy.count(**DOWNLOADS) == 2, "the second diff downloaded a snapshot again"
    assert [s["downloaded"] for s in (again.json()["from"], again.json()["to"])] == [False, False]
    assert len(again.json()["changes"]) == len(first.json()["changes"])

    cache = tmp_path / "state" / "lookervault" / "snapshots"
    cached = sorted(cache.iterdir())
    assert len(cached) == 2, f"the cache holds more than the two snapshots: {cached}"
    assert all(p.suffix == ".db" for p in cached)
    uncached = run("snapshot", "diff", "2", "1", "--no-cache", "--json")
    assert uncached.code == 0, uncached.err
    assert fault_proxy.count(**DOWNLOADS) == 4
    assert sorted(cache.iterdir()) == cached
    assert list(work.iterdir()) == []


def test_diff_of_a_snapshot_and_a_fresh_extraction_shows_what_broke(
    run: Run, looker: StandIn, bucket: storage.Bucket, tmp_path: Path
) -> None:
    back_up(looker)
    changes = change_everything(looker)
    live = tmp_path / "live.db"
    extract(live, settings=StandInSettings(looker), workers=2)

    done = run("snapshot", "diff", "1", "--db", str(live), "--json")

    assert done.code == 0, done.err
    report = done.json()
    assert {(c["type"], c["id"], c["change"]) for c in report["changes"]} == changes.expected()
    assert report["to"]["database"] == str(live)

    only_looks = run("snapshot", "diff", "1", "looks", "--db", str(live), "--json")
    assert {c["type"] for c in only_looks.json()["changes"]} == {"looks"}


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (("1",), 2, "two snapshots, or one snapshot and --db"),
        (("1", "2", "widgets"), 2, "Unknown content type"),
        (("1", "2", "--id", "dashboards"), 2, "not TYPE:ID"),
        (("1", "2", "--id", "dashboards:99999"), 3, "on neither side"),
        (("1", "2", "looks", "--id", "dashboards:1"), 2, "outside the types given (looks)"),
        (("1", "7"), 3, "No snapshot matches '7'"),
        (("1", "--db", "missing.db"), 2, "does not exist"),
    ],
)
def test_bad_input_gets_a_clear_error(
    run: Run, looker: StandIn, bucket: storage.Bucket, args: tuple[str, ...], code: int, words: str
) -> None:
    back_up(looker)
    back_up(looker)

    done = run("snapshot", "diff", *args)

    assert done.code == code, done.out + done.err
    assert words in done.err
    assert_no_traceback(done.err)
