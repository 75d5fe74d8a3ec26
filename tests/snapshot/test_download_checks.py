"""Issue 15: each check of the download fails the command when what it checks is wrong.

The objects are written straight into the bucket, as a damaged or foreign object would be;
the download must refuse each with exit 1 (2 for the destination cases) and leave the
destination folder as it was.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import google.cloud.storage as storage
import pytest

from lookervault.snapshot.upload import META
from tests.snapshot.conftest import Run
from tests.support.cli import LOOKERVAULT, assert_no_traceback
from tests.support.fault_proxy import FaultProxy

NAME = "snapshots/default/looker-2025-12-01T03-00-00.db.gz"


def metadata_for(raw: bytes) -> dict[str, str]:
    return {
        f"{META}raw-size": str(len(raw)),
        f"{META}raw-sha256": hashlib.sha256(raw).hexdigest(),
    }


def uploaded_metadata_for(raw: bytes) -> dict[str, str]:
    """What our upload records: with it, a matching SHA-256 replaces the SQLite check."""
    return {**metadata_for(raw), f"{META}format": "1"}


def damaged(raw: bytes) -> bytes:
    """The same size, with a stretch of pages zeroed: SQLite would not call it ok."""
    middle = len(raw) // 2
    return raw[:middle] + bytes(64 * 1024) + raw[middle + 64 * 1024 :]


def store(bucket: storage.Bucket, stored: bytes, metadata: dict[str, str]) -> None:
    blob = bucket.blob(NAME)
    blob.metadata = metadata
    blob.upload_from_string(stored, content_type="application/gzip")


def sqlite_bytes(sample_db: Path) -> bytes:
    return sample_db.read_bytes()


Case = Callable[[bytes], tuple[bytes, dict[str, str]]]

CASES: dict[str, tuple[Case, str]] = {
    "not gzip": (lambda raw: (raw, metadata_for(raw)), "not a valid gzip stream"),
    "trailing garbage": (
        lambda raw: (gzip.compress(raw) + b"garbage", metadata_for(raw)),
        "trailing data after the gzip stream",
    ),
    "truncated": (
        lambda raw: (gzip.compress(raw)[:-100], metadata_for(raw)),
        "a truncated gzip stream",
    ),
    "gzip but not SQLite": (
        lambda raw: (
            gzip.compress(b"not a database " * 5000),
            metadata_for(b"not a database " * 5000),
        ),
        "not a readable SQLite database",
    ),
    "raw size differs": (
        lambda raw: (gzip.compress(raw), {**metadata_for(raw), f"{META}raw-size": "12345"}),
        "recorded size",
    ),
    "raw CRC32C differs, with no SHA-256 to compare": (
        lambda raw: (
            gzip.compress(raw),
            {f"{META}raw-size": str(len(raw)), f"{META}raw-crc32c": "AAAAAA=="},
        ),
        "recorded CRC32C",
    ),
    "raw SHA-256 differs": (
        lambda raw: (gzip.compress(raw), {**metadata_for(raw), f"{META}raw-sha256": "0" * 64}),
        "recorded SHA-256",
    ),
    "other bytes than our upload hashed": (
        lambda raw: (gzip.compress(damaged(raw)), uploaded_metadata_for(raw)),
        "recorded SHA-256",
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_a_damaged_or_foreign_object_is_refused_and_nothing_is_written(
    run: Run, bucket: storage.Bucket, sample_db: Path, tmp_path: Path, case: str
) -> None:
    make, message = CASES[case]
    stored, metadata = make(sqlite_bytes(sample_db))
    store(bucket, stored, metadata)
    folder = tmp_path / "restore"
    folder.mkdir()
    result = run("snapshot", "download", "1", "-o", str(folder / "looker.db"))
    assert result.code == 1, result.err
    assert message in result.err
    assert list(folder.iterdir()) == []


def test_a_missing_output_folder_is_exit_2(
    run: Run, bucket: storage.Bucket, sample_db: Path, tmp_path: Path
) -> None:
    raw = sqlite_bytes(sample_db)
    store(bucket, gzip.compress(raw), metadata_for(raw))
    result = run("snapshot", "download", "1", "-o", str(tmp_path / "nowhere" / "looker.db"))
    assert result.code == 2
    assert f"Folder {tmp_path / 'nowhere'} does not exist" in result.err
    assert not (tmp_path / "nowhere").exists()


def test_a_destination_that_appears_during_the_download_is_left_untouched(
    bucket: storage.Bucket, fault_proxy: FaultProxy, sample_db: Path, tmp_path: Path
) -> None:
    raw = sqlite_bytes(sample_db)
    store(bucket, gzip.compress(raw), metadata_for(raw))
    destination = tmp_path / "looker.db"
    held = fault_proxy.hold(method="GET", query="alt=media")
    process = subprocess.Popen(
        [*LOOKERVAULT, "snapshot", "download", "1", "-o", str(destination)],
        env=dict(os.environ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert held.held.wait(timeout=60), "the download never started"
        destination.write_bytes(b"written by someone else meanwhile")
    finally:
        held.released.set()
    _, err = process.communicate(timeout=120)
    assert_no_traceback(err)
    assert process.returncode == 2, err
    assert "already exists; it was left untouched" in err
    assert destination.read_bytes() == b"written by someone else meanwhile"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []
