"""Local copies of snapshots: the cache answers a second time without a download, a changed
object is never answered from an old copy, and the cache stays within its size."""

from __future__ import annotations

import os
from pathlib import Path

import google.cloud.storage as storage

from lookervault.config import load_settings
from lookervault.gcs import make_client
from lookervault.snapshot import refs
from lookervault.snapshot.copies import cached_copy, temporary_copy
from lookervault.snapshot.integrity import digest_file
from tests.snapshot.conftest import Run


def test_a_cached_copy_is_downloaded_once_and_verified(
    run: Run, bucket: storage.Bucket, sample_db: Path, tmp_path: Path
) -> None:
    assert run("snapshot", "upload", "--source", str(sample_db)).code == 0
    settings = load_settings()
    client = make_client()
    resolved = refs.resolve(client, settings, "latest")

    first, downloaded = cached_copy(client, resolved, tmp_path / "state", 10**9)
    again, downloaded_again = cached_copy(client, resolved, tmp_path / "state", 10**9)

    uploaded = resolved.snapshot.metadata["lookervault-raw-sha256"]
    assert downloaded and not downloaded_again and first == again
    assert digest_file(first).sha256 == uploaded
    work = tmp_path / "work"
    work.mkdir()
    with temporary_copy(client, resolved, work) as copy:
        assert digest_file(copy).sha256 == uploaded
    assert list(work.iterdir()) == []


def test_the_cache_keeps_within_its_size_and_keeps_the_newest(
    run: Run, bucket: storage.Bucket, sample_db: Path, tmp_path: Path
) -> None:
    for _ in range(2):
        assert run("snapshot", "upload", "--source", str(sample_db)).code == 0
    settings = load_settings()
    client = make_client()
    older = refs.resolve(client, settings, "2")
    newer = refs.resolve(client, settings, "1")
    old_copy, _ = cached_copy(client, older, tmp_path, 10**9)
    os.utime(old_copy, (1, 1))
    limit = old_copy.stat().st_size + 1

    new_copy, downloaded = cached_copy(client, newer, tmp_path, limit)

    assert downloaded and new_copy != old_copy
    assert new_copy.exists() and not old_copy.exists()
