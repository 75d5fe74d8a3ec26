"""Refs, delete, protect, exit codes and the local audit log."""

from __future__ import annotations

import json
import os
from pathlib import Path

import google.cloud.storage as storage
import pytest

from tests.snapshot.conftest import Run
from tests.support.fault_proxy import FaultProxy


@pytest.fixture
def three(run: Run, bucket: storage.Bucket, sample_db: Path) -> list[dict[str, object]]:
    for _ in range(3):
        assert run("snapshot", "upload", "--source", str(sample_db)).code == 0
    return run("snapshot", "list", "--json", "--no-cache").json()["snapshots"]


def test_refs_by_index_timestamp_name_and_url_resolve(
    run: Run, bucket: storage.Bucket, three: list[dict[str, object]], tmp_path: Path
) -> None:
    second = three[1]
    timestamp = str(second["filename"]).removeprefix("looker-").removesuffix(".db.gz")
    refs = ["2", timestamp, str(second["name"]), str(second["gcs_path"]), str(second["filename"])]
    for number, ref in enumerate(refs):
        out = tmp_path / f"r{number}.db"
        result = run("snapshot", "download", ref, "--output", str(out), "--json")
        assert result.code == 0, (ref, result.err)
        assert result.json()["name"] == second["name"], ref


@pytest.mark.parametrize(
    "ref", ["9", "2020-01-01T00-00-00", "snapshots/default/looker-2020-01-01T00-00-00.db.gz"]
)
def test_unknown_ref_exits_3_and_points_to_list(
    run: Run, three: list[dict[str, object]], ref: str, tmp_path: Path
) -> None:
    result = run("snapshot", "download", ref, "--output", str(tmp_path / "x.db"))
    assert result.code == 3
    assert "snapshot list" in result.err


def test_malformed_ref_exits_2(run: Run, three: list[dict[str, object]]) -> None:
    result = run("snapshot", "download", "yesterday")
    assert result.code == 2
    assert "index" in result.err


def test_existing_destination_is_refused_without_overwrite(
    run: Run, three: list[dict[str, object]], tmp_path: Path
) -> None:
    out = tmp_path / "looker.db"
    out.write_bytes(b"precious")
    refused = run("snapshot", "download", "1", "--output", str(out))
    assert refused.code == 2
    assert "--overwrite" in refused.err
    assert out.read_bytes() == b"precious"
    replaced = run("snapshot", "download", "1", "--output", str(out), "--overwrite")
    assert replaced.code == 0, replaced.err
    assert out.read_bytes()[:16] == b"SQLite format 3\x00"


def test_protected_snapshot_refuses_deletion(
    run: Run, bucket: storage.Bucket, three: list[dict[str, object]]
) -> None:
    name = str(three[0]["name"])
    protected = run("snapshot", "protect", "1", "--reason", "before migration", "--json")
    assert protected.code == 0, protected.err
    blob = bucket.get_blob(name)
    assert blob.metadata["lookervault-protected-reason"] == "before migration"
    listed = run("snapshot", "list", "--json").json()["snapshots"]
    assert listed[0]["protected"] is True

    refused = run("snapshot", "delete", "1", "--force")
    assert refused.code == 2
    assert "unprotect" in refused.err
    assert bucket.get_blob(name) is not None

    assert run("snapshot", "unprotect", "1").code == 0
    # Real GCS drops a metadata key patched to null; fake-gcs-server v1.54 keeps it as "".
    assert not (bucket.get_blob(name).metadata or {}).get("lookervault-protected-reason")
    deleted = run("snapshot", "delete", "1", "--force", "--json")
    assert deleted.code == 0, deleted.err
    assert deleted.json()["deleted"] is True
    assert bucket.get_blob(name) is None


def test_delete_without_force_off_a_terminal_refuses(
    run: Run, bucket: storage.Bucket, three: list[dict[str, object]]
) -> None:
    result = run("snapshot", "delete", "1")
    assert result.code == 2
    assert "--force" in result.err
    assert len(list(bucket.list_blobs())) == 3


def test_delete_dry_run_deletes_nothing(
    run: Run, bucket: storage.Bucket, three: list[dict[str, object]]
) -> None:
    result = run("snapshot", "delete", "1", "--dry-run")
    assert result.code == 0
    assert "would delete" in result.out
    assert len(list(bucket.list_blobs())) == 3


def test_every_change_is_audited_locally(
    run: Run, bucket: storage.Bucket, three: list[dict[str, object]]
) -> None:
    run("snapshot", "protect", "2", "--reason", "keep")
    run("snapshot", "unprotect", "2")
    run("snapshot", "delete", "3", "--force")
    log = Path(os.environ["XDG_STATE_HOME"]) / "lookervault" / "audit.jsonl"
    events = [json.loads(line) for line in log.read_text().splitlines()]
    actions = [e["action"] for e in events]
    assert actions == ["snapshot.created"] * 3 + [
        "snapshot.protected",
        "snapshot.unprotected",
        "snapshot.deleted",
    ]
    for event in events:
        assert event["actor"].startswith("user:")
        assert event["object"].startswith("snapshots/default/")
        assert event["generation"]
        assert event["time"]
    assert oct(log.stat().st_mode & 0o777) == "0o600"


def test_missing_bucket_exits_3(run: Run, emulator_env: object, monkeypatch, sample_db) -> None:
    monkeypatch.setenv("LOOKERVAULT_BUCKET", "no-such-bucket-here")
    listed = run("snapshot", "list")
    assert listed.code == 3
    assert "LOOKERVAULT_BUCKET" in listed.err
    uploaded = run("snapshot", "upload", "--source", str(sample_db))
    assert uploaded.code == 3


def test_no_bucket_configured_exits_2(run: Run) -> None:
    result = run("snapshot", "list")
    assert result.code == 2
    assert "LOOKERVAULT_BUCKET" in result.err


def test_invalid_configuration_names_the_key(run: Run, monkeypatch, tmp_path: Path) -> None:
    (tmp_path / "lookervault.toml").write_text('[snapshot]\nbucket = "b"\ncompression_level = 12\n')
    result = run("snapshot", "list")
    assert result.code == 2
    assert "compression_level" in result.err


def test_missing_source_exits_2(run: Run, bucket: storage.Bucket, tmp_path: Path) -> None:
    result = run("snapshot", "upload", "--source", str(tmp_path / "nope.db"))
    assert result.code == 2
    assert "extract" in result.err


def test_no_google_credentials_exits_2_with_what_to_do(
    run: Run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("STORAGE_EMULATOR_HOST", raising=False)
    monkeypatch.setenv("LOOKERVAULT_BUCKET", "some-bucket")
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(tmp_path / "missing-key.json"))
    result = run("snapshot", "list", "--no-cache")
    assert result.code == 2
    assert "credentials" in result.err
    assert f"GOOGLE_APPLICATION_CREDENTIALS names {tmp_path / 'missing-key.json'}" in result.err
    assert "gcloud auth application-default login" in result.err


def test_permission_denied_exits_1_with_what_to_do(
    run: Run, bucket: storage.Bucket, fault_proxy: FaultProxy
) -> None:
    fault_proxy.fail(403, times=5, method="GET")
    result = run("snapshot", "list", "--no-cache")
    assert result.code == 1
    assert "permission denied" in result.err
    assert "infra/README.md" in result.err and '"What each part needs"' in result.err
    assert "roles/storage.objectAdmin" not in result.err  # would let the job delete
