"""The job, the function and the CLI's reading commands, run for real against the emulator
behind a proxy that grants exactly the role infra/ gives them, and refuses everything else."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import google.cloud.storage as storage

from lookervault.local.function import finalize_event
from lookervault.local.standin import StandIn
from tests.backup.job.conftest import job_command, task_env
from tests.deploy.infra_config import role_permissions
from tests.deploy.permissions import allowed, grant_only, refused
from tests.retention.conftest import Uploader, object_names, serve_function
from tests.support.fault_proxy import FaultProxy
from tests.support.looker_fixtures import sdk_env

# roles/storage.objectViewer, which snapshot_readers get, as far as objects go.
OBJECT_VIEWER = {"storage.objects.get", "storage.objects.list"}
# google-cloud-storage fetches bucket metadata in the background for its telemetry and falls
# back quietly on a 403 (google/cloud/storage/_bucket_metadata_cache.py): not a need.
TOLERATED = {"storage.buckets.get"}


def test_the_job_backs_up_with_create_and_get_only(
    gcs_client: storage.Client,
    bucket: storage.Bucket,
    fault_proxy: FaultProxy,
    standin: StandIn,
    tmp_path: Path,
) -> None:
    granted = role_permissions("job_writer")
    grant_only(fault_proxy, granted)
    environment = {
        **os.environ,
        **task_env(),
        **sdk_env(standin),
        "LOOKERVAULT_WORK_DIR": str(tmp_path),
    }
    done = subprocess.run(
        job_command(), env=environment, capture_output=True, text=True, timeout=240
    )

    assert done.returncode == 0, done.stdout + done.stderr
    assert len(list(gcs_client.list_blobs(bucket.name, prefix="snapshots/default/"))) == 1
    assert "storage.objects.create" in allowed(fault_proxy.records)
    assert refused(fault_proxy.records) <= TOLERATED


def test_a_database_changed_during_the_upload_fails_the_job_with_nothing_to_delete(
    gcs_client: storage.Client,
    bucket: storage.Bucket,
    fault_proxy: FaultProxy,
    standin: StandIn,
    tmp_path: Path,
) -> None:
    """The job may not delete, so a snapshot whose bytes no longer match its metadata must
    never be committed. The job's database is changed once it has been hashed (while the
    upload session opens); the stream finds it while compressing and fails the upload
    before its final request: exit 1, no object, and no delete was ever needed."""
    grant_only(fault_proxy, role_permissions("job_writer"))
    held = fault_proxy.hold(method="POST", query="uploadType=resumable")
    environment = {
        **os.environ,
        **task_env(),
        **sdk_env(standin),
        "LOOKERVAULT_WORK_DIR": str(tmp_path),
        "LOOKERVAULT_UPLOAD_CHUNK_MIB": "1",
    }
    job = subprocess.Popen(
        job_command(), env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert held.held.wait(timeout=120), "the job never opened an upload session"
        (database,) = tmp_path.glob("lookervault-default-*/looker.db")
        with database.open("r+b") as handle:
            handle.seek(-10, os.SEEK_END)
            handle.write(b"changed!!!")
    finally:
        held.released.set()
    out, err = job.communicate(timeout=240)

    assert job.returncode == 1, out + err
    assert "changed while it was being compressed" in out
    assert list(gcs_client.list_blobs(bucket.name)) == []
    assert fault_proxy.count(method="POST", query="uploadType=resumable") == 1
    finalizing = [
        r.headers.get("content-range", "")
        for r in fault_proxy.matching(method="PUT")
        if not r.headers.get("content-range", "").endswith("/*")
    ]
    assert finalizing == []
    assert "storage.objects.delete" not in refused(fault_proxy.records)
    assert refused(fault_proxy.records) <= TOLERATED


def test_the_function_prunes_with_exactly_list_get_and_delete(
    gcs_client: storage.Client,
    bucket: storage.Bucket,
    upload_snapshots: Uploader,
    fault_proxy: FaultProxy,
    tmp_path: Path,
) -> None:
    names = upload_snapshots(bucket.name, 5)
    newest = gcs_client.bucket(bucket.name).get_blob(names[-1])
    headers, body = finalize_event(bucket.name, names[-1], newest.generation)
    fault_proxy.reset()
    granted = role_permissions("retention")
    grant_only(fault_proxy, granted)

    with serve_function(fault_proxy.url, tmp_path) as server:
        assert server.post(headers, body).status_code == 200

    assert object_names(gcs_client, bucket.name) == sorted(names[-3:])
    assert allowed(fault_proxy.records) == granted
    assert refused(fault_proxy.records) <= TOLERATED


def test_readers_list_and_download_with_object_viewer(
    bucket: storage.Bucket, upload_snapshots: Uploader, fault_proxy: FaultProxy, tmp_path: Path
) -> None:
    upload_snapshots(bucket.name, 2)
    fault_proxy.reset()
    grant_only(fault_proxy, OBJECT_VIEWER)
    cli = str(Path(sys.executable).parent / "lookervault")

    listed = subprocess.run([cli, "snapshot", "list", "--json"], capture_output=True, text=True)
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout)["total_count"] == 2
    output = tmp_path / "restored.db"
    fetched = subprocess.run(
        [cli, "snapshot", "download", "1", "--output", str(output)], capture_output=True, text=True
    )
    assert fetched.returncode == 0, fetched.stderr
    assert output.is_file()
    assert refused(fault_proxy.records) <= TOLERATED
