"""`lookervault snapshot cleanup` against the emulator, and agreement with the function."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import google.cloud.storage as storage
import pytest

from lookervault.cli import main
from lookervault.local.function import finalize_event
from lookervault.retention.policy import OLDER_THAN_MAX_AGE, PROTECTED
from lookervault.snapshot.catalog import PROTECTED_KEY
from tests.retention.conftest import (
    POLICY_ENV,
    FunctionServer,
    Uploader,
    object_names,
)


@pytest.fixture
def policy_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in POLICY_ENV.items():
        monkeypatch.setenv(key, value)


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    capsys.readouterr()
    assert main(["snapshot", "cleanup", "--json", *args]) == 0
    document: dict[str, Any] = json.loads(capsys.readouterr().out)
    return document


def audit_lines(tmp_path: Path) -> list[dict[str, Any]]:
    path = tmp_path / "state" / "lookervault" / "audit.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.mark.usefixtures("policy_env")
def test_dry_run_shows_every_decision_and_deletes_nothing(
    gcs_client: storage.Client,
    bucket: storage.Bucket,
    upload_snapshots: Uploader,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    names = upload_snapshots(bucket.name, 5)
    sizes = {blob.name: blob.size for blob in gcs_client.list_blobs(bucket.name)}

    assert main(["snapshot", "cleanup"]) == 0

    out = capsys.readouterr().out
    for name in names:
        assert name.removesuffix(".db.gz")[-len("YYYY-MM-DDTHH-MM-SS") :] in out
    assert out.count("newest 3") == 3
    assert out.count(OLDER_THAN_MAX_AGE) == 2
    freed = sizes[names[0]] + sizes[names[1]]
    assert f"would delete 2 snapshots and free {freed:,} bytes" in out
    assert object_names(gcs_client, bucket.name) == sorted(names)
    assert audit_lines(tmp_path) == []


@pytest.mark.usefixtures("policy_env")
def test_json_lists_decisions_newest_first_with_bytes_to_free(
    gcs_client: storage.Client,
    bucket: storage.Bucket,
    upload_snapshots: Uploader,
    capsys: pytest.CaptureFixture[str],
) -> None:
    names = upload_snapshots(bucket.name, 5)
    sizes = {blob.name: blob.size for blob in gcs_client.list_blobs(bucket.name)}

    document = run_json(capsys)

    assert document["dry_run"] is True
    assert document["policy"]["min_count"] == 3
    assert [row["name"] for row in document["snapshots"]] == names[::-1]
    assert [row["sequential_index"] for row in document["snapshots"]] == [1, 2, 3, 4, 5]
    assert [row["decision"] for row in document["snapshots"]] == ["keep"] * 3 + ["delete"] * 2
    assert document["snapshots"][4]["reasons"] == [OLDER_THAN_MAX_AGE]
    assert document["bytes_to_free"] == sizes[names[0]] + sizes[names[1]]
    assert document["to_delete"] == 2


def test_older_than_overrides_max_age_once(
    gcs_client: storage.Client,
    bucket: storage.Bucket,
    upload_snapshots: Uploader,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LOOKERVAULT_RETENTION_MIN_COUNT", "1")
    upload_snapshots(bucket.name, 3)

    assert run_json(capsys)["to_delete"] == 0  # max_age_days off: nothing goes
    assert run_json(capsys, "--older-than", "0")["to_delete"] == 2
    assert run_json(capsys, "--older-than", "1")["to_delete"] == 0  # uploads are 2 hours old


def test_older_than_contradicting_min_age_is_a_usage_error(
    bucket: storage.Bucket,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LOOKERVAULT_RETENTION_MIN_AGE_DAYS", "7")

    assert main(["snapshot", "cleanup", "--older-than", "3"]) == 2

    err = capsys.readouterr().err
    assert "min_age_days (7) is larger than max_age_days (3)" in err
    assert "LOOKERVAULT_RETENTION_" in err


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("LOOKERVAULT_RETENTION_MIN_COUNT", "0", "retention_min_count"),
        ("LOOKERVAULT_RETENTION_MAX_AGE_DAYS", "-1", "retention_max_age_days"),
        ("LOOKERVAULT_BUCKET", "", "No bucket is configured"),
    ],
)
def test_bad_configuration_exits_2_naming_the_key(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    variable: str,
    value: str,
    message: str,
) -> None:
    monkeypatch.setenv("LOOKERVAULT_BUCKET", "some-bucket")
    monkeypatch.setenv(variable, value)

    assert main(["snapshot", "cleanup"]) == 2

    assert message in capsys.readouterr().err


@pytest.mark.usefixtures("policy_env")
def test_no_dry_run_without_force_or_terminal_refuses(
    gcs_client: storage.Client,
    bucket: storage.Bucket,
    upload_snapshots: Uploader,
    capsys: pytest.CaptureFixture[str],
) -> None:
    names = upload_snapshots(bucket.name, 5)

    assert main(["snapshot", "cleanup", "--no-dry-run"]) == 2

    assert "--force" in capsys.readouterr().err
    assert object_names(gcs_client, bucket.name) == sorted(names)


@pytest.mark.usefixtures("policy_env")
def test_force_deletes_and_audits_locally(
    gcs_client: storage.Client,
    bucket: storage.Bucket,
    upload_snapshots: Uploader,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    names = upload_snapshots(bucket.name, 6)
    protected = gcs_client.bucket(bucket.name).get_blob(names[0])
    protected.metadata = {PROTECTED_KEY: "keep for the audit"}
    protected.patch()

    document = run_json(capsys, "--no-dry-run", "--force")

    assert document["dry_run"] is False
    assert (document["deleted"], document["kept"]) == (2, 4)
    assert object_names(gcs_client, bucket.name) == sorted([names[0], *names[3:]])
    lines = audit_lines(tmp_path)
    deleted = [line for line in lines if line["action"] == "snapshot.deleted"]
    assert sorted(line["object"] for line in deleted) == names[1:3]
    assert all(line["actor"].startswith("user:") for line in lines)
    [kept] = [line for line in lines if line["action"] == "snapshot.kept"]
    assert (kept["object"], kept["reason"]) == (
        names[0],
        f"{PROTECTED} (policy: older than max_age_days)",
    )


@pytest.mark.usefixtures("policy_env")
def test_cli_shows_the_same_decisions_as_the_function(
    gcs_client: storage.Client,
    bucket: storage.Bucket,
    upload_snapshots: Uploader,
    function_server: FunctionServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    names = upload_snapshots(bucket.name, 8)
    upload_snapshots(bucket.name, 2, instance="other")
    protected = gcs_client.bucket(bucket.name).get_blob(names[2])
    protected.metadata = {PROTECTED_KEY: "quarter end"}
    protected.patch()

    document = run_json(capsys)
    cli_keep = {row["name"] for row in document["snapshots"] if row["decision"] == "keep"}
    cli_delete = {row["name"] for row in document["snapshots"] if row["decision"] == "delete"}

    newest = gcs_client.bucket(bucket.name).get_blob(names[-1])
    headers, body = finalize_event(bucket.name, names[-1], newest.generation, "compare")
    assert function_server.post(headers, body).status_code == 200

    remaining = {
        name
        for name in object_names(gcs_client, bucket.name)
        if name.startswith("snapshots/default/")
    }
    assert remaining == cli_keep
    audits = [e["audit"] for e in function_server.entries_for("compare") if "audit" in e]
    assert {a["object"] for a in audits if a["action"] == "snapshot.deleted"} == cli_delete
    assert cli_delete == set(names[:2] + names[3:5])
    assert len(object_names(gcs_client, bucket.name)) == 4 + 2  # the other instance untouched
