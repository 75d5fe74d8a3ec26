"""The cleanup use case in-process against the emulator: races between listing and deleting."""

from __future__ import annotations

from datetime import UTC, datetime

import google.cloud.storage as storage
import pytest

from lookervault.audit import AuditEvent
from lookervault.retention import function
from lookervault.retention.cleanup import CleanupPlan, apply_cleanup, plan_cleanup
from lookervault.retention.policy import RetentionPolicy
from lookervault.snapshot.catalog import PROTECTED_KEY
from lookervault.snapshot.manage import ALREADY_GONE, CHANGED, DELETED, PROTECTED_SINCE
from tests.retention.conftest import Uploader, object_names
from tests.support.structured_logs import LABELS, parse_entries, structured_logging  # noqa: F401

POLICY = RetentionPolicy(max_age_days=0, min_count=1)


def plan_for(client: storage.Client, bucket: str) -> CleanupPlan:
    return plan_cleanup(
        client, bucket, "snapshots/", "default", "looker", POLICY, datetime.now(UTC)
    )


def test_objects_that_changed_or_vanished_since_the_listing_are_not_deleted(
    gcs_client: storage.Client, bucket: storage.Bucket, upload_snapshots: Uploader
) -> None:
    names = upload_snapshots(bucket.name, 5)
    plan = plan_for(gcs_client, bucket.name)
    assert [d.snapshot.name for d in plan.to_delete] == names[3::-1]
    replaced, protected, vanished, untouched = names[3], names[2], names[1], names[0]
    bucket.blob(replaced).upload_from_string(b"new generation")
    marked = bucket.get_blob(protected)  # fake-gcs-server v1.54 also bumps the generation here
    marked.metadata = {PROTECTED_KEY: "protected after the listing"}
    marked.patch()
    bucket.blob(vanished).delete()
    events: list[AuditEvent] = []

    result = apply_cleanup(gcs_client, plan, "test", events.append)

    assert result.outcomes == {
        replaced: CHANGED,
        protected: PROTECTED_SINCE,
        vanished: ALREADY_GONE,
        untouched: DELETED,
    }
    assert object_names(gcs_client, bucket.name) == sorted([replaced, protected, names[4]])
    assert [(e.action, e.outcome, e.object) for e in events] == [
        ("snapshot.kept", "skipped", replaced),
        ("snapshot.kept", "skipped", protected),
        ("snapshot.deleted", "success", untouched),
    ]
    assert (len(result.deleted), len(result.already_gone), result.kept_count) == (1, 1, 3)
    assert result.bytes_freed == plan.to_delete[-1].snapshot.size_bytes


def test_only_the_exact_instance_and_filename_prefix_are_in_scope(
    gcs_client: storage.Client, bucket: storage.Bucket, upload_snapshots: Uploader
) -> None:
    names = upload_snapshots(bucket.name, 3)
    upload_snapshots(bucket.name, 2, instance="default2")
    foreign = [
        "snapshots/default/looker-prod-2020-01-01T00-00-00.db.gz",
        "snapshots/default/tmp/looker-2020-01-01T00-00-00.db.gz",
        "snapshots/default/looker-2020-01-01T00-00-00.db.gz.part",
    ]
    for name in foreign:
        bucket.blob(name).upload_from_string(b"not ours")

    plan = plan_for(gcs_client, bucket.name)

    assert sorted(d.snapshot.name for d in plan.decisions) == sorted(names)


@pytest.mark.usefixtures("structured_logging")
def test_invalid_configuration_is_logged_and_acknowledged(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LOOKERVAULT_RETENTION_MIN_COUNT", "0")
    function.setup_logging()
    attributes = {"id": "bad-config", "type": function.FINALIZED}
    data = {"bucket": "b", "name": "snapshots/default/looker-2025-01-01T00-00-00.db.gz"}

    status = function.handle_event(attributes, {**data, "generation": "3"})

    assert status == "misconfigured"
    (entry,) = parse_entries(capsys.readouterr().out)
    assert entry["severity"] == "ERROR"
    assert "retention_min_count" in entry["message"]
    assert entry[LABELS]["event_id"] == "bad-config"
