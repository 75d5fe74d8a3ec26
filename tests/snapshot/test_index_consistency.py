"""Issue 11, item 2: an index means the same snapshot in every command (docs/snapshots.md)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import google.cloud.storage as storage

from lookervault.config import load_settings
from lookervault.snapshot.upload import upload_snapshot
from tests.snapshot.conftest import Run

START = datetime(2025, 12, 1, 3, 0, 0, tzinfo=UTC)


def upload_at(bucket: storage.Bucket, source: Path, hours: int) -> str:
    """An upload by someone else (the job, a colleague): it does not touch our cache."""
    settings = load_settings(bucket=bucket.name)
    moment = START + timedelta(hours=hours)
    return upload_snapshot(bucket.client, settings, source, now=lambda: moment).name


def names(bucket: storage.Bucket) -> list[str]:
    return sorted(b.name for b in bucket.client.list_blobs(bucket.name))


def test_list_says_when_it_answers_from_the_cache_and_how_old_it_is(
    run: Run, bucket: storage.Bucket, sample_db: Path
) -> None:
    upload_at(bucket, sample_db, 0)
    live = run("snapshot", "list")
    assert live.code == 0 and "cache" not in live.err
    cached = run("snapshot", "list")
    assert cached.out == live.out
    assert "Listed from the local cache, 0 s old" in cached.err
    assert "--no-cache" in cached.err
    document = run("snapshot", "list", "--json").json()
    assert document["from_cache"] is True
    assert run("snapshot", "list", "--json", "--no-cache").json()["from_cache"] is False


def test_an_index_that_moved_since_the_listing_is_refused_and_nothing_changes(
    run: Run, bucket: storage.Bucket, sample_db: Path
) -> None:
    first, second = upload_at(bucket, sample_db, 0), upload_at(bucket, sample_db, 1)
    shown = run("snapshot", "list", "--json").json()["snapshots"]
    assert [s["name"] for s in shown] == [second, first]
    third = upload_at(bucket, sample_db, 2)  # the job runs while the user reads the list

    for command in (["delete", "2", "--force"], ["protect", "2"], ["download", "2"]):
        refused = run("snapshot", *command)
        assert refused.code == 2, command
        assert "looker-2025-12-01T04-00-00.db.gz (2025-12-01 04:00:00 UTC)" in refused.err
        assert "looker-2025-12-01T03-00-00.db.gz (2025-12-01 03:00:00 UTC)" in refused.err
        assert "the bucket has changed" in refused.err
    assert names(bucket) == sorted([first, second, third])
    assert not (bucket.get_blob(second).metadata or {}).get("lookervault-protected-reason")

    run("snapshot", "list", "--no-cache")
    deleted = run("snapshot", "delete", "2", "--force")
    assert deleted.code == 0, deleted.err
    assert "Deleted looker-2025-12-01T04-00-00.db.gz (2025-12-01 04:00:00 UTC)" in deleted.out
    assert names(bucket) == sorted([first, third])


def test_a_snapshot_deleted_elsewhere_is_not_acted_on_through_a_stale_index(
    run: Run, bucket: storage.Bucket, sample_db: Path
) -> None:
    older, newer = upload_at(bucket, sample_db, 0), upload_at(bucket, sample_db, 1)
    run("snapshot", "list")
    bucket.blob(newer).delete()  # the retention function, or a colleague
    cached = run("snapshot", "list", "--json").json()
    assert cached["from_cache"] is True and cached["snapshots"][0]["name"] == newer
    refused = run("snapshot", "protect", "1", "--reason", "keep")
    assert refused.code == 2
    assert not (bucket.get_blob(older).metadata or {}).get("lookervault-protected-reason")


def test_destructive_commands_name_the_object_in_their_prompt_and_output(
    run: Run, bucket: storage.Bucket, sample_db: Path
) -> None:
    upload_at(bucket, sample_db, 0)
    named = "looker-2025-12-01T03-00-00.db.gz (2025-12-01 03:00:00 UTC)"
    refused = run("snapshot", "delete", "1")  # no terminal: the prompt becomes a refusal
    assert refused.code == 2 and named in refused.err
    assert named in run("snapshot", "delete", "1", "--dry-run").out
    assert named in run("snapshot", "protect", "1").out
    assert named in run("snapshot", "unprotect", "1").out
    record = run("snapshot", "delete", "1", "--force", "--json").json()
    assert record["timestamp"] == "2025-12-01T03:00:00Z" and record["deleted"] is True
