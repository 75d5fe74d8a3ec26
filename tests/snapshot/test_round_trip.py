"""Upload, list and download against the GCS emulator through the real client and CLI."""

from __future__ import annotations

import gzip
import hashlib
import threading
from pathlib import Path

import google.cloud.storage as storage

from lookervault.snapshot.upload import META
from tests.snapshot.conftest import Run
from tests.support.fault_proxy import FaultProxy

# SQLite's online backup bumps the file change counter (bytes 24-27), sets the schema cookie
# (40-43) from the destination's and bumps the version-valid-for number (92-95) in the header;
# every other byte is copied as is.
SQLITE_COUNTER_BYTES = set(range(24, 28)) | set(range(40, 44)) | set(range(92, 96))


def differing_bytes(a: bytes, b: bytes) -> set[int]:
    assert len(a) == len(b)
    return {i for i in range(len(a)) if a[i] != b[i]} if a != b else set()


def test_round_trip_of_a_large_database_is_byte_identical(
    run: Run, bucket: storage.Bucket, large_db: Path, tmp_path: Path
) -> None:
    assert large_db.stat().st_size >= 50 * 1024 * 1024
    uploaded = run("snapshot", "upload", "--source", str(large_db), "--json")
    assert uploaded.code == 0, uploaded.err
    info = uploaded.json()
    assert info["gcs_path"] == f"gs://{bucket.name}/{info['name']}"
    assert info["name"].startswith("snapshots/default/looker-")

    out = tmp_path / "restored.db"
    downloaded = run("snapshot", "download", "1", "--output", str(out), "--json")
    assert downloaded.code == 0, downloaded.err
    assert downloaded.json()["verified_against_metadata"] is True
    assert downloaded.json()["sqlite_checked"] is False  # the SHA-256 proves it was checked

    restored = out.read_bytes()
    assert hashlib.sha256(restored).hexdigest() == info["raw_sha256"]
    assert differing_bytes(restored, large_db.read_bytes()) <= SQLITE_COUNTER_BYTES
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


def test_stored_object_is_plain_gzip_with_metadata(
    run: Run, bucket: storage.Bucket, sample_db: Path
) -> None:
    info = run("snapshot", "upload", "--source", str(sample_db), "--json").json()
    blob = bucket.get_blob(info["name"])
    assert blob.content_type == "application/gzip"
    assert blob.content_encoding is None
    raw = gzip.decompress(blob.download_as_bytes(raw_download=True))
    meta = blob.metadata
    assert meta[f"{META}raw-size"] == str(len(raw))
    assert meta[f"{META}raw-sha256"] == hashlib.sha256(raw).hexdigest()
    assert meta[f"{META}format"] == "1"
    assert meta[f"{META}compression-level"] == "6"
    assert meta[f"{META}compression-engine"] == "isal:2"
    assert blob.crc32c == info["crc32c"]


def test_the_size_first_level_stores_a_smaller_standard_gzip(
    run: Run, bucket: storage.Bucket, sample_db: Path, tmp_path: Path
) -> None:
    fast = run("snapshot", "upload", "--source", str(sample_db), "--json").json()
    small = run(
        "snapshot", "upload", "--source", str(sample_db), "--compression-level", "9", "--json"
    ).json()
    assert small["compressed_size_bytes"] < fast["compressed_size_bytes"]
    blob = bucket.get_blob(small["name"])
    assert blob.metadata[f"{META}compression-engine"] == "zlib:9"
    raw = gzip.decompress(blob.download_as_bytes(raw_download=True))
    assert hashlib.sha256(raw).hexdigest() == small["raw_sha256"]
    out = tmp_path / "small.db"
    assert run("snapshot", "download", small["name"], "--output", str(out)).code == 0
    assert hashlib.sha256(out.read_bytes()).hexdigest() == small["raw_sha256"]


def test_two_uploads_in_the_same_second_make_two_objects(
    run: Run, bucket: storage.Bucket, sample_db: Path, monkeypatch
) -> None:
    from datetime import UTC, datetime

    import lookervault.snapshot.upload as upload_module

    frozen = datetime(2025, 12, 1, 3, 0, 0, tzinfo=UTC)
    original = upload_module.upload_snapshot

    def at_frozen_time(*args, **kwargs):  # type: ignore[no-untyped-def]
        return original(*args, now=lambda: frozen, **kwargs)

    monkeypatch.setattr("lookervault.snapshot.service.upload_snapshot", at_frozen_time)
    first = run("snapshot", "upload", "--source", str(sample_db), "--json").json()
    second = run("snapshot", "upload", "--source", str(sample_db), "--json").json()
    assert first["name"].endswith("looker-2025-12-01T03-00-00.db.gz")
    assert second["name"].endswith("looker-2025-12-01T03-00-01.db.gz")
    names = sorted(b.name for b in bucket.list_blobs())
    assert names == sorted([first["name"], second["name"]])


def test_four_concurrent_uploads_in_the_same_second_make_four_objects(
    bucket: storage.Bucket, sample_db: Path, fault_proxy: FaultProxy
) -> None:
    """Each upload checks the name is free, starts its session, then sends its data; the data
    requests are held until all four have arrived, so all four race for one name. The proxy
    evaluates `ifGenerationMatch=0` at the commit, as real Cloud Storage does (fake-gcs-server
    checks it when the session starts, and would let all four overwrite one object)."""
    from datetime import UTC, datetime

    from lookervault.config import load_settings
    from lookervault.snapshot.upload import upload_snapshot

    frozen = datetime(2025, 12, 1, 3, 0, 0, tzinfo=UTC)
    held = fault_proxy.hold(method="PUT", query="upload_id", times=4)
    names: list[str] = []

    def upload() -> None:
        client = storage.Client(project="test-project")
        settings = load_settings(bucket=bucket.name)
        names.append(upload_snapshot(client, settings, sample_db, now=lambda: frozen).name)

    threads = [threading.Thread(target=upload) for _ in range(4)]
    for thread in threads:
        thread.start()
    try:
        for _ in range(4):
            assert held.arrivals.acquire(timeout=60), "an upload never sent its data"
    finally:
        held.released.set()
        for thread in threads:
            thread.join(timeout=120)
    expected = [f"snapshots/default/looker-2025-12-01T03-00-0{n}.db.gz" for n in range(4)]
    assert sorted(names) == expected
    assert sorted(b.name for b in bucket.list_blobs()) == expected
    raw_sizes = {bucket.get_blob(name).metadata[f"{META}raw-size"] for name in expected}
    assert raw_sizes == {str(sample_db.stat().st_size)}


def test_content_encoding_gzip_object_from_another_tool_still_verifies(
    run: Run, bucket: storage.Bucket, sample_db: Path, tmp_path: Path
) -> None:
    """Stored with Content-Encoding: gzip, the emulator (like GCS) would transcode on download;
    the raw download must still see the stored bytes and their CRC32C."""
    data = sample_db.read_bytes()
    name = "snapshots/default/looker-2025-01-02T03-04-05.db.gz"
    blob = bucket.blob(name)
    blob.content_encoding = "gzip"
    blob.upload_from_string(gzip.compress(data), content_type="application/octet-stream")
    transcoded = bucket.blob(name).download_as_bytes()
    assert transcoded == data  # the emulator does transcode: the trap is real

    out = tmp_path / "other.db"
    result = run("snapshot", "download", name, "--output", str(out), "--json")
    assert result.code == 0, result.err
    assert result.json()["verified_against_metadata"] is False
    assert result.json()["sqlite_checked"] is True
    assert out.read_bytes() == data


def test_list_json_has_the_documented_keys_newest_first(
    run: Run, bucket: storage.Bucket, sample_db: Path
) -> None:
    names = [
        run("snapshot", "upload", "--source", str(sample_db), "--json").json()["name"]
        for _ in range(3)
    ]
    listed = run("snapshot", "list", "--json", "--no-cache")
    assert listed.code == 0, listed.err
    doc = listed.json()
    assert doc["total_count"] == 3
    keys = {
        "sequential_index",
        "name",
        "filename",
        "timestamp",
        "size_bytes",
        "crc32c",
        "gcs_path",
        "protected",
        "created",
    }
    for record in doc["snapshots"]:
        assert keys <= record.keys()
    assert [r["sequential_index"] for r in doc["snapshots"]] == [1, 2, 3]
    assert [r["name"] for r in doc["snapshots"]] == sorted(names, reverse=True)

    limited = run("snapshot", "list", "--json", "--limit", "2").json()
    assert limited["total_count"] == 3 and len(limited["snapshots"]) == 2


def test_empty_bucket_says_so_and_suggests_upload(run: Run, bucket: storage.Bucket) -> None:
    result = run("snapshot", "list")
    assert result.code == 0
    assert "No snapshots" in result.out
    assert "snapshot upload" in result.out


def test_upload_dry_run_uploads_nothing(run: Run, bucket: storage.Bucket, sample_db: Path) -> None:
    result = run("snapshot", "upload", "--source", str(sample_db), "--dry-run", "--json")
    assert result.code == 0, result.err
    assert result.json()["dry_run"] is True
    assert list(bucket.list_blobs()) == []
