"""The real handler under functions-framework, against the GCS emulator, over HTTP."""

from __future__ import annotations

import contextlib
import json
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import google.cloud.storage as storage
import pytest

from lookervault.config import load_settings
from lookervault.local.function import finalize_event
from lookervault.retention.policy import OLDER_THAN_MAX_AGE, PROTECTED
from lookervault.snapshot.catalog import PROTECTED_KEY
from lookervault.snapshot.upload import upload_snapshot
from tests.retention.conftest import (
    FunctionServer,
    Uploader,
    object_names,
    serve_function,
)
from tests.support.gcs_emulator import binary_emulator
from tests.support.structured_logs import LABELS, SOURCE, TRACE

EXPECTED_POLICY = {
    "max_age_days": 0.0,
    "min_count": 3,
    "min_age_days": 0.0,
    "keep_daily": 0,
    "keep_weekly": 0,
    "keep_monthly": 0,
}


def newest_event(
    client: storage.Client, bucket: str, name: str, event_id: str | None = None
) -> tuple[dict[str, str], bytes]:
    blob = client.bucket(bucket).get_blob(name)
    assert blob is not None
    return finalize_event(bucket, name, blob.generation, event_id)


def test_one_event_leaves_the_three_newest_and_audits_it(
    gcs_client: storage.Client,
    bucket: storage.Bucket,
    upload_snapshots: Uploader,
    function_server: FunctionServer,
) -> None:
    names = upload_snapshots(bucket.name, 8)
    sizes = {blob.name: blob.size for blob in gcs_client.list_blobs(bucket.name)}
    headers, body = newest_event(gcs_client, bucket.name, names[-1], "event-1")

    response = function_server.post(headers, body)

    assert response.status_code == 200
    assert object_names(gcs_client, bucket.name) == sorted(names[-3:])
    entries = [e for e in function_server.entries_for("event-1") if "audit" in e]
    assert sorted(e["audit"]["object"] for e in entries) == sorted(names[:5])
    for entry in entries:
        assert entry["severity"] == "NOTICE"
        assert entry["logging.googleapis.com/labels"]["audit"] == "true"
        audit = entry["audit"]
        assert audit["action"] == "snapshot.deleted"
        assert audit["outcome"] == "success"
        assert audit["reason"] == OLDER_THAN_MAX_AGE
        assert audit["bucket"] == bucket.name
        assert isinstance(audit["generation"], int)
        assert audit["policy"] == EXPECTED_POLICY
        assert audit["actor"] == "function-event:event-1"
    [summary] = [
        e["retention_summary"]
        for e in function_server.entries_for("event-1")
        if "retention_summary" in e
    ]
    assert summary["event_id"] == "event-1"
    assert summary["object"] == names[-1]
    assert summary["generation"] == int(json.loads(body)["generation"])
    assert summary["policy"] == EXPECTED_POLICY
    assert (summary["kept"], summary["deleted"]) == (3, 5)
    assert summary["bytes_freed"] == sum(sizes[name] for name in names[:5])


TRACE_ID = "105445aa7843bc8bf206b12000100000"


@pytest.mark.parametrize(
    ("header", "expected_trace"),
    [
        ({"X-Cloud-Trace-Context": f"{TRACE_ID}/1;o=1"}, TRACE_ID),
        ({"traceparent": f"00-{TRACE_ID}-b7ad6b7169203331-01"}, TRACE_ID),
        ({}, None),
    ],
    ids=["x-cloud-trace-context", "traceparent", "no-trace"],
)
def test_every_entry_of_an_event_carries_its_id_and_the_request_trace(
    gcs_client: storage.Client,
    bucket: storage.Bucket,
    upload_snapshots: Uploader,
    function_server: FunctionServer,
    header: dict[str, str],
    expected_trace: str | None,
) -> None:
    names = upload_snapshots(bucket.name, 4)
    event_id = f"traced-{uuid.uuid4().hex}"
    headers, body = newest_event(gcs_client, bucket.name, names[-1], event_id)

    assert function_server.post({**headers, **header}, body).status_code == 200

    entries = function_server.entries_for(event_id)
    assert sorted(e["severity"] for e in entries) == ["INFO", "NOTICE"]  # summary, one deletion
    (execution_id,) = {e[LABELS]["execution_id"] for e in entries}  # functions-framework's
    assert execution_id
    for entry in entries:
        assert entry[LABELS]["event_id"] == event_id
        assert entry[LABELS]["audit"] == "true"
        assert entry[SOURCE]["function"] in {"emit_audit", "_emit_summary"}
        if expected_trace:
            assert entry[TRACE] == f"projects/lookervault-local/traces/{expected_trace}"
        else:
            assert entry[TRACE] == ""


def test_summary_carries_the_event_generation(
    gcs_client: storage.Client,
    bucket: storage.Bucket,
    upload_snapshots: Uploader,
    function_server: FunctionServer,
) -> None:
    names = upload_snapshots(bucket.name, 2)
    generation = gcs_client.bucket(bucket.name).get_blob(names[-1]).generation
    headers, body = finalize_event(bucket.name, names[-1], generation, "event-gen")

    assert function_server.post(headers, body).status_code == 200

    [entry] = function_server.entries_for("event-gen")
    assert entry["retention_summary"]["generation"] == generation
    assert (entry["retention_summary"]["kept"], entry["retention_summary"]["deleted"]) == (2, 0)
    assert object_names(gcs_client, bucket.name) == sorted(names)


def test_a_protected_snapshot_survives_and_is_reported(
    gcs_client: storage.Client,
    bucket: storage.Bucket,
    upload_snapshots: Uploader,
    function_server: FunctionServer,
) -> None:
    names = upload_snapshots(bucket.name, 8)
    oldest = gcs_client.bucket(bucket.name).get_blob(names[0])
    oldest.metadata = {PROTECTED_KEY: "audit 2025"}
    oldest.temporary_hold = True  # ignored by fake-gcs-server v1.54; the marker is what counts
    oldest.patch()
    headers, body = newest_event(gcs_client, bucket.name, names[-1], "event-protected")

    assert function_server.post(headers, body).status_code == 200

    assert object_names(gcs_client, bucket.name) == sorted([names[0], *names[-3:]])
    audits = [e["audit"] for e in function_server.entries_for("event-protected") if "audit" in e]
    [kept] = [audit for audit in audits if audit["action"] == "snapshot.kept"]
    assert kept["object"] == names[0]
    assert kept["reason"] == f"{PROTECTED} (policy: {OLDER_THAN_MAX_AGE})"
    assert sorted(a["object"] for a in audits if a["action"] == "snapshot.deleted") == names[1:5]


def test_concurrent_duplicate_events_apply_the_policy_once(
    gcs_client: storage.Client,
    bucket: storage.Bucket,
    upload_snapshots: Uploader,
    function_server: FunctionServer,
) -> None:
    names = upload_snapshots(bucket.name, 8)
    event_id = f"dup-{uuid.uuid4().hex}"
    headers, body = newest_event(gcs_client, bucket.name, names[-1], event_id)

    with ThreadPoolExecutor(max_workers=20) as pool:
        responses = list(pool.map(lambda _: function_server.post(headers, body), range(20)))

    assert [response.status_code for response in responses] == [200] * 20
    assert object_names(gcs_client, bucket.name) == sorted(names[-3:])
    entries = function_server.entries_for(event_id)
    deleted = [e["audit"]["object"] for e in entries if "audit" in e]
    assert sorted(deleted) == sorted(names[:5])  # each snapshot deleted (and audited) once
    summaries = [e["retention_summary"] for e in entries if "retention_summary" in e]
    assert len(summaries) == 20
    assert sum(summary["deleted"] for summary in summaries) == 5
    assert all(summary["kept"] == 3 for summary in summaries)


@pytest.mark.parametrize(
    ("name", "body_override"),
    [
        ("tmp/x", None),
        ("snapshots/default/looker-2025-01-01T00-00-00.db.gz.part", None),
        ("other/default/looker-2025-01-01T00-00-00.db.gz", None),
        ("snapshots/default/nested/looker-2025-01-01T00-00-00.db.gz", None),
        ("snapshots/default/looker-2025-13-01T00-00-00.db.gz", None),
        ("", b"this is not json"),
        ("", b'{"bucket": "b"}'),
        ("", b"[1, 2, 3]"),
    ],
)
def test_non_snapshots_and_malformed_events_delete_nothing_and_are_acknowledged(
    gcs_client: storage.Client,
    bucket: storage.Bucket,
    upload_snapshots: Uploader,
    function_server: FunctionServer,
    name: str,
    body_override: bytes | None,
) -> None:
    names = upload_snapshots(bucket.name, 4)
    event_id = f"ignored-{uuid.uuid4().hex}"
    headers, body = finalize_event(bucket.name, name, 7, event_id)

    response = function_server.post(headers, body_override or body)

    assert 200 <= response.status_code < 300
    assert object_names(gcs_client, bucket.name) == sorted(names)
    [entry] = function_server.entries_for(event_id)
    assert entry["severity"] == ("WARNING" if body_override else "DEBUG")
    assert "audit" not in entry
    assert "retention_summary" not in entry


def test_another_event_type_is_ignored(
    gcs_client: storage.Client,
    bucket: storage.Bucket,
    upload_snapshots: Uploader,
    function_server: FunctionServer,
) -> None:
    names = upload_snapshots(bucket.name, 4)
    headers, body = newest_event(gcs_client, bucket.name, names[-1], "event-other-type")
    headers["ce-type"] = "google.cloud.storage.object.v1.deleted"

    assert function_server.post(headers, body).status_code == 200

    assert object_names(gcs_client, bucket.name) == sorted(names)
    [entry] = function_server.entries_for("event-other-type")
    assert entry["severity"] == "DEBUG"


def test_with_the_emulator_stopped_the_invocation_fails_for_a_retry(
    looker_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with contextlib.ExitStack() as stack:
        with binary_emulator() as private:
            monkeypatch.setenv("STORAGE_EMULATOR_HOST", private.url)
            client = storage.Client(project="test-project")
            bucket = client.create_bucket(f"lv-stopped-{uuid.uuid4().hex[:8]}")
            result = upload_snapshot(client, load_settings(bucket=bucket.name), looker_db)
            server = stack.enter_context(serve_function(private.url, tmp_path))
        headers, body = finalize_event(bucket.name, result.name, result.generation or 1, "down")

        response = server.post(headers, body)

        assert 500 <= response.status_code < 600
        [entry] = server.entries_for("down")
        assert entry["severity"] == "ERROR"
        assert "will be retried" in entry["message"]
