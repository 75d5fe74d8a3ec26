"""Faults injected between the client and the emulator: the integrity chain holds."""

from __future__ import annotations

import hashlib
from pathlib import Path

import google.cloud.storage as storage
import pytest

from tests.snapshot.conftest import Run
from tests.support.fault_proxy import FaultProxy

UPLOAD_CHUNK = dict(method="PUT", query="upload_id")
DOWNLOAD = dict(method="GET", query="alt=media")


@pytest.fixture(autouse=True)
def several_upload_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """large_db compresses to about 13 MB: in 2 MiB chunks its upload takes several requests,
    so faults land in a chunk that is not the last and a resend seeks back into it."""
    monkeypatch.setenv("LOOKERVAULT_UPLOAD_CHUNK_MIB", "2")


def snapshot_names(bucket: storage.Bucket) -> list[str]:
    return [b.name for b in bucket.client.list_blobs(bucket.name, prefix="snapshots/")]


def test_final_upload_request_carries_our_crc32c(
    run: Run, bucket: storage.Bucket, fault_proxy: FaultProxy, large_db: Path
) -> None:
    fault_proxy.reset()
    result = run("snapshot", "upload", "--source", str(large_db), "--json")
    assert result.code == 0, result.err
    chunks = fault_proxy.matching(**UPLOAD_CHUNK)
    assert len(chunks) >= 2, "the upload should be resumable and chunked"
    assert chunks[-1].headers.get("x-goog-hash") == f"crc32c={result.json()['crc32c']}"
    assert all("x-goog-hash" not in c.headers for c in chunks[:-1])


@pytest.mark.parametrize("which", ["one chunk", "every chunk"])
def test_byte_flipped_during_upload_leaves_no_snapshot_and_exits_1(
    run: Run, bucket: storage.Bucket, fault_proxy: FaultProxy, large_db: Path, which: str
) -> None:
    """fake-gcs-server ignores X-Goog-Hash, so the corrupted object is committed there;
    our check after the upload must find it and delete it."""
    fault_proxy.reset()
    times = 1 if which == "one chunk" else 99
    fault_proxy.flip_byte(**UPLOAD_CHUNK, side="request", offset=1000, times=times)
    result = run("snapshot", "upload", "--source", str(large_db))
    assert result.code == 1
    assert "retry" in result.err.lower()
    assert snapshot_names(bucket) == []


def test_a_corrupted_upload_is_deleted_even_when_the_clients_own_delete_fails(
    run: Run, bucket: storage.Bucket, fault_proxy: FaultProxy, sample_db: Path
) -> None:
    """google-cloud-storage deletes an object whose CRC32C is not ours (without a generation
    precondition); when that delete fails (here with an error it does not retry), ours
    removes exactly the generation that was committed."""
    fault_proxy.reset()
    fault_proxy.flip_byte(**UPLOAD_CHUNK, side="request", offset=1000)
    failed_delete = fault_proxy.fail(403, method="DELETE")
    result = run("snapshot", "upload", "--source", str(sample_db))
    assert result.code == 1
    assert "received other bytes than were sent" in result.err
    assert failed_delete.remaining == 0
    assert fault_proxy.count(method="DELETE") == 2
    assert snapshot_names(bucket) == []


def test_a_byte_flipped_in_transit_is_fetched_again_and_verified(
    run: Run, bucket: storage.Bucket, fault_proxy: FaultProxy, large_db: Path, tmp_path: Path
) -> None:
    uploaded = run("snapshot", "upload", "--source", str(large_db), "--json")
    assert uploaded.code == 0, uploaded.err
    fault_proxy.reset()
    fault_proxy.flip_byte(**DOWNLOAD, side="response")
    out = tmp_path / "looker.db"
    result = run("snapshot", "download", "1", "--output", str(out), "--json")
    assert result.code == 0, result.err
    starts = [r.headers.get("range", "") for r in fault_proxy.matching(**DOWNLOAD)]
    assert sum(start.startswith("bytes=0-") for start in starts) == 2, "downloaded twice"
    assert hashlib.sha256(out.read_bytes()).hexdigest() == uploaded.json()["raw_sha256"]


def test_a_download_reads_ranges_that_cover_the_object_exactly_once(
    run: Run, bucket: storage.Bucket, fault_proxy: FaultProxy, large_db: Path, tmp_path: Path
) -> None:
    """Ranges are inclusive (RFC 9110 14.1.2): an off-by-one would skip or repeat a byte."""
    uploaded = run("snapshot", "upload", "--source", str(large_db), "--json").json()
    fault_proxy.reset()
    out = tmp_path / "looker.db"
    assert run("snapshot", "download", "1", "--output", str(out)).code == 0
    spans = sorted(
        tuple(int(end) for end in r.headers["range"].removeprefix("bytes=").split("-"))
        for r in fault_proxy.matching(**DOWNLOAD)
    )
    assert len(spans) >= 2, "large_db should take more than one range"
    covered = [first for first, _ in spans] + [spans[-1][1] + 1]
    assert covered == [0] + [last + 1 for _, last in spans]
    assert covered[-1] == uploaded["compressed_size_bytes"]


def test_a_damaged_stored_object_is_named_as_such_and_touches_nothing(
    run: Run, bucket: storage.Bucket, fault_proxy: FaultProxy, large_db: Path, tmp_path: Path
) -> None:
    """The same wrong bytes on every download is what a damaged stored object looks like
    from the client (fake-gcs-server keeps the CRC32C it recorded when an object was written)."""
    assert run("snapshot", "upload", "--source", str(large_db)).code == 0
    folder = tmp_path / "restore"
    folder.mkdir()
    destination = folder / "looker.db"
    destination.write_bytes(b"yesterday's database")
    fault_proxy.reset()
    fault_proxy.flip_byte(**DOWNLOAD, side="response", times=99)
    result = run("snapshot", "download", "1", "--output", str(destination), "--overwrite")
    assert result.code == 1
    assert "is damaged" in result.err and "another snapshot" in result.err
    assert "transit" not in result.err
    assert destination.read_bytes() == b"yesterday's database"
    assert sorted(p.name for p in folder.iterdir()) == ["looker.db"]


def test_503s_and_resets_during_upload_and_download_are_retried(
    run: Run, bucket: storage.Bucket, fault_proxy: FaultProxy, large_db: Path, tmp_path: Path
) -> None:
    fault_proxy.reset()
    initiate = fault_proxy.fail(503, method="POST", query="uploadType=resumable")
    chunk_503 = fault_proxy.fail(503, **UPLOAD_CHUNK)
    chunk_reset = fault_proxy.reset_connection(**UPLOAD_CHUNK, side="request", offset=65536)
    uploaded = run("snapshot", "upload", "--source", str(large_db), "--json")
    assert uploaded.code == 0, uploaded.err
    assert initiate.remaining == chunk_503.remaining == chunk_reset.remaining == 0

    download_503 = fault_proxy.fail(503, **DOWNLOAD)
    download_reset = fault_proxy.reset_connection(**DOWNLOAD, side="response", offset=1 << 20)
    out = tmp_path / "restored.db"
    downloaded = run("snapshot", "download", "1", "--output", str(out), "--json")
    assert downloaded.code == 0, downloaded.err
    assert download_503.remaining == download_reset.remaining == 0
    assert fault_proxy.count(**DOWNLOAD) >= 3
    assert hashlib.sha256(out.read_bytes()).hexdigest() == uploaded.json()["raw_sha256"]
