"""End to end: the job entry point as a process, against the Looker stand-in and the emulator."""

from __future__ import annotations

import json
import os
import signal
import subprocess
from collections.abc import Callable
from pathlib import Path

import google.cloud.storage as storage

from lookervault.local.standin import SeedSize, StandIn
from lookervault.snapshot.upload import META
from tests.backup.job.conftest import SMALL, JobRun, RunJob, job_command, task_env
from tests.support.fault_proxy import FaultProxy
from tests.support.looker_fixtures import sdk_env
from tests.support.structured_logs import LABELS, SOURCE, parse_entries


def snapshots_in(bucket: storage.Bucket, folder: str = "") -> list[storage.Blob]:
    return list(bucket.client.list_blobs(bucket.name, prefix=f"snapshots/{folder}"))


def assert_structured(run: JobRun) -> None:
    """Every line a structured entry of google-cloud-logging's handler, labelled with the task."""
    entries = parse_entries(run.stdout)
    assert entries, run.stderr
    for entry in entries:
        assert entry["severity"] in {"DEBUG", "INFO", "NOTICE", "WARNING", "ERROR"}
        labels = entry[LABELS]
        assert labels["job"] == "lookervault-backup"
        assert labels["execution"] == "lookervault-backup-abc12"
        assert {"task_index", "attempt", "python_logger"} <= labels.keys()
        assert entry[SOURCE]["file"].endswith(".py")


def test_job_makes_a_verified_snapshot_whose_counts_match_looker(
    run_job: RunJob, bucket: storage.Bucket, standin: StandIn, work_dir: Path
) -> None:
    run = run_job(sdk_env(standin))
    assert run.code == 0, run.stdout + run.stderr
    assert_structured(run)

    (blob,) = snapshots_in(bucket)
    assert blob.name.startswith("snapshots/default/looker-")
    meta = blob.metadata
    assert json.loads(meta[f"{META}counts"]) == standin.counts()
    assert meta[f"{META}looker-host"] == standin.base_url.removeprefix("http://")
    assert meta[f"{META}looker-version"]
    assert meta[f"{META}execution"] == "lookervault-backup-abc12"
    assert meta[f"{META}task-index"] == "0"
    assert meta[f"{META}extract-started"] <= meta[f"{META}extract-finished"]

    summary = [e for e in run.entries if "task_summary" in e][-1]
    assert summary["severity"] == "INFO"
    assert summary["task_summary"]["snapshots"] == [f"gs://{bucket.name}/{blob.name}"]
    instance_summary = next(e["summary"] for e in run.entries if "summary" in e)
    assert instance_summary["counts"] == standin.counts()
    assert instance_summary["compressed_size_bytes"] == blob.size
    task_seconds = summary["task_summary"]["seconds"]
    assert 0 < instance_summary["extract_seconds"] < task_seconds
    assert 0 < instance_summary["upload_seconds"] < task_seconds
    (created,) = [e for e in run.entries if "audit" in e]
    assert created["audit"]["action"] == "snapshot.created"
    assert created["severity"] == "NOTICE"
    assert created[LABELS]["audit"] == "true"
    assert created[LABELS]["instance"] == "default"

    assert standin.client_secret not in run.stdout + run.stderr
    assert standin.client_secret not in json.dumps(meta)
    assert list(work_dir.iterdir()) == []


def test_two_tasks_back_up_one_instance_each(
    run_job: RunJob,
    bucket: storage.Bucket,
    standin_factory: Callable[..., StandIn],
    work_dir: Path,
) -> None:
    emea = standin_factory(seed=SMALL, seed_value=1)
    apac = standin_factory(seed=SeedSize.scaled(6), seed_value=2)
    instances = [
        {
            "name": "emea",
            "base_url": emea.base_url,
            "client_id_env": "EMEA_ID",
            "client_secret_env": "EMEA_SECRET",
            "verify_ssl": False,
        },
        {
            "name": "apac",
            "base_url": apac.base_url,
            "client_id_env": "APAC_ID",
            "client_secret_env": "APAC_SECRET",
            "verify_ssl": False,
        },
    ]
    env = {
        "LOOKERVAULT_INSTANCES": json.dumps(instances),
        "EMEA_ID": emea.client_id,
        "EMEA_SECRET": emea.client_secret,
        "APAC_ID": apac.client_id,
        "APAC_SECRET": apac.client_secret,
    }
    first = run_job(env, index=0, count=2)
    assert first.code == 0, first.stdout + first.stderr
    assert [b.name.split("/")[1] for b in snapshots_in(bucket)] == ["emea"]
    second = run_job(env, index=1, count=2)
    assert second.code == 0, second.stdout + second.stderr

    for name, standin in (("emea", emea), ("apac", apac)):
        (blob,) = snapshots_in(bucket, f"{name}/")
        assert json.loads(blob.metadata[f"{META}counts"]) == standin.counts()
    assert {e[LABELS].get("instance") for e in first.entries} <= {None, "emea"}
    assert {e[LABELS].get("instance") for e in second.entries} <= {None, "apac"}
    for secret in (emea.client_secret, apac.client_secret):
        assert secret not in first.stdout + first.stderr + second.stdout + second.stderr
    assert list(work_dir.iterdir()) == []


def test_one_failing_instance_does_not_stop_the_others(
    run_job: RunJob, bucket: storage.Bucket, standin: StandIn, work_dir: Path
) -> None:
    instances = [
        {
            "name": "down",
            "base_url": "http://127.0.0.1:9",
            "client_id_env": "DOWN_ID",
            "client_secret_env": "DOWN_SECRET",
        },
        {
            "name": "up",
            "base_url": standin.base_url,
            "client_id_env": "UP_ID",
            "client_secret_env": "UP_SECRET",
            "verify_ssl": False,
        },
    ]
    env = {
        "LOOKERVAULT_INSTANCES": json.dumps(instances),
        "DOWN_ID": "x",
        "DOWN_SECRET": "y",
        "UP_ID": standin.client_id,
        "UP_SECRET": standin.client_secret,
    }
    run = run_job(env)
    assert run.code == 1
    assert [b.name.split("/")[1] for b in snapshots_in(bucket)] == ["up"]
    errors = [e for e in run.entries if e["severity"] == "ERROR"]
    assert any(e[LABELS].get("instance") == "down" for e in errors)
    assert list(work_dir.iterdir()) == []


def test_looker_outage_exits_non_zero_with_an_error_and_no_object(
    run_job: RunJob, bucket: storage.Bucket, standin: StandIn, work_dir: Path
) -> None:
    env = sdk_env(standin)
    standin.stop()
    run = run_job(env)
    assert run.code == 1
    assert_structured(run)
    errors = [e for e in run.entries if e["severity"] == "ERROR"]
    assert errors and "default" in errors[0]["message"]
    assert snapshots_in(bucket) == []
    assert list(work_dir.iterdir()) == []


def test_killed_during_upload_leaves_no_object_and_a_rerun_succeeds(
    base_env: dict[str, str],
    bucket: storage.Bucket,
    standin: StandIn,
    fault_proxy: FaultProxy,
    run_job: RunJob,
) -> None:
    # Holding the upload's data request and then cutting it models the process dying before
    # its bytes reached Cloud Storage (the proxy would otherwise deliver what the kernel had
    # already buffered from the dead process).
    held = fault_proxy.hold(method="PUT", query="upload_id", then_drop=True)
    env = {
        **base_env,
        **task_env(),
        **sdk_env(standin),
        "STORAGE_EMULATOR_HOST": os.environ["STORAGE_EMULATOR_HOST"],
    }
    process = subprocess.Popen(job_command(), env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert held.held.wait(timeout=120), "the upload never started"
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        held.released.set()
        if process.poll() is None:
            process.kill()
        if process.stdout:
            process.stdout.close()
    assert process.returncode == -signal.SIGKILL
    assert snapshots_in(bucket) == []

    retried = run_job(sdk_env(standin), attempt=1)
    assert retried.code == 0, retried.stdout + retried.stderr
    assert len(snapshots_in(bucket)) == 1


def test_sigterm_removes_the_working_files_and_exits_143_with_an_error_entry(
    base_env: dict[str, str],
    bucket: storage.Bucket,
    standin: StandIn,
    fault_proxy: FaultProxy,
    work_dir: Path,
) -> None:
    """Cloud Run sends SIGTERM before it kills a task (docs/job.md: exit 143)."""
    held = fault_proxy.hold(method="PUT", query="upload_id", then_drop=True)
    env = {
        **base_env,
        **task_env(),
        **sdk_env(standin),
        "STORAGE_EMULATOR_HOST": os.environ["STORAGE_EMULATOR_HOST"],
    }
    process = subprocess.Popen(
        job_command(), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert held.held.wait(timeout=120), "the upload never started"
        assert list(work_dir.iterdir()), "the job should be holding its working files now"
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=60)
    finally:
        held.released.set()
        if process.poll() is None:
            process.kill()
            process.communicate()
    run = JobRun(process.returncode, out, err)
    assert run.code == 143, run.stdout + run.stderr
    assert run.stderr == ""
    assert_structured(run)
    assert run.entries[-1]["severity"] == "ERROR"
    assert "stopped by SIGTERM" in run.entries[-1]["message"]
    assert list(work_dir.iterdir()) == []
    assert snapshots_in(bucket) == []


def test_an_unexpected_exception_is_one_error_entry_and_exit_1(
    run_job: RunJob, bucket: storage.Bucket, standin: StandIn, tmp_path: Path
) -> None:
    not_a_folder = tmp_path / "work-is-a-file"
    not_a_folder.write_text("")
    run = run_job({**sdk_env(standin), "LOOKERVAULT_WORK_DIR": str(not_a_folder)})
    assert run.code == 1
    assert run.stderr == ""
    assert_structured(run)
    (failure,) = [e for e in run.entries if "NotADirectoryError" in e["message"]]
    assert failure["severity"] == "ERROR"
    assert snapshots_in(bucket) == []


def test_metadata_over_the_size_limit_is_refused_before_anything_is_uploaded(
    run_job: RunJob, bucket: storage.Bucket, standin: StandIn, work_dir: Path
) -> None:
    run = run_job({**sdk_env(standin), "CLOUD_RUN_EXECUTION": "x" * 9000})
    assert run.code == 1
    errors = [e["message"] for e in run.entries if e["severity"] == "ERROR"]
    assert any("over the 8 KiB limit" in message for message in errors)
    assert snapshots_in(bucket) == []
    assert list(work_dir.iterdir()) == []


def test_missing_bucket_configuration_is_an_error_entry(run_job: RunJob, standin: StandIn) -> None:
    run = run_job({**sdk_env(standin), "LOOKERVAULT_BUCKET": ""})
    assert run.code == 2
    (entry,) = run.entries
    assert entry["severity"] == "ERROR"
    assert "bucket" in entry["message"].lower()


def test_a_library_warning_is_a_structured_entry_of_the_instance(
    run_job: RunJob, bucket: storage.Bucket, standin: StandIn, fault_proxy: FaultProxy
) -> None:
    """A warning logged below the job (the Cloud Storage retry) is an entry like the job's own."""
    fault_proxy.fail(503, method="GET", path_regex=rf"/b/{bucket.name}/o/[^/]+$")
    run = run_job({**sdk_env(standin), "STORAGE_EMULATOR_HOST": fault_proxy.url})
    assert run.code == 0, run.stdout + run.stderr
    assert run.stderr == ""
    assert_structured(run)
    (warning,) = [e for e in run.entries if e["severity"] == "WARNING"]
    assert warning["message"].startswith("Cloud Storage did not answer (HTTP 503)")
    assert warning[LABELS]["python_logger"] == "lookervault.gcs"
    assert warning[LABELS]["instance"] == "default"
