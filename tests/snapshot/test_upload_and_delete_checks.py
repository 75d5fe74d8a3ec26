"""Issue 15: the checks of upload and delete, each shown failing the command when it must."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import google.cloud.storage as storage
import pytest

from lookervault.snapshot.catalog import PROTECTED_KEY
from tests.snapshot.conftest import Run
from tests.support.cli import LOOKERVAULT, Result, assert_no_traceback
from tests.support.fault_proxy import Fault, FaultProxy

OBJECT_LOOKUP = dict(method="GET", path_regex=r"^/storage/v1/b/[^/]+/o/snapshots")


def run_while_held(command: list[str], held: Fault, meanwhile: Callable[[], None]) -> Result:
    """Run the CLI; once the proxy holds its request, do `meanwhile`, then let it go on."""
    process = subprocess.Popen(
        [*LOOKERVAULT, *command],
        env=dict(os.environ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert held.held.wait(timeout=60), "the request never reached the proxy"
        meanwhile()
    finally:
        held.released.set()
    out, err = process.communicate(timeout=120)
    assert_no_traceback(err)
    return Result(process.returncode, out, err)


def final_upload_requests(proxy: FaultProxy) -> list[str]:
    """Content-Range of each upload request that would commit the object: one with the total
    size in it (`bytes 0-99/100`, `bytes */100`), where every other one says `/*`."""
    ranges = [r.headers.get("content-range", "") for r in proxy.matching(method="PUT")]
    return [value for value in ranges if not value.endswith("/*")]


def test_a_source_that_changes_while_it_is_compressed_fails_before_anything_is_committed(
    bucket: storage.Bucket,
    fault_proxy: FaultProxy,
    large_db: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The copy is hashed, then compressed as it streams; a byte changed in between (here
    near the end of the copy, while the upload session is being opened and before the
    compressor has read anything) must fail the upload inside the stream: no request ever
    finalizes the object, so there is nothing to delete (the backup job may not delete)."""
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    monkeypatch.setenv("LOOKERVAULT_UPLOAD_CHUNK_MIB", "2")
    held = fault_proxy.hold(method="POST", query="uploadType=resumable")

    def change_the_copy() -> None:
        (copy,) = scratch.glob("lookervault-upload-*/looker.db")
        with copy.open("r+b") as handle:
            handle.seek(-10, os.SEEK_END)
            handle.write(b"changed!!!")

    done = run_while_held(["snapshot", "upload", "--source", str(large_db)], held, change_the_copy)
    assert done.code == 1, done.err
    assert "changed while it was being compressed" in done.err
    assert "no snapshot was created" in done.err
    assert fault_proxy.count(method="PUT") >= 2, "chunks were sent before the change was found"
    assert final_upload_requests(fault_proxy) == []
    assert fault_proxy.count(method="DELETE") == 0
    assert list(bucket.client.list_blobs(bucket.name)) == []
    assert list(scratch.iterdir()) == []


@pytest.fixture
def one_snapshot(run: Run, bucket: storage.Bucket, sample_db: Path) -> storage.Blob:
    assert run("snapshot", "upload", "--source", str(sample_db)).code == 0
    (blob,) = bucket.client.list_blobs(bucket.name)
    return blob


def test_delete_keeps_an_object_replaced_after_it_was_resolved(
    bucket: storage.Bucket, fault_proxy: FaultProxy, one_snapshot: storage.Blob
) -> None:
    """fake-gcs-server does not enforce generation preconditions on delete: only our own
    generation check stands between the command and the new object."""
    held = fault_proxy.hold(**OBJECT_LOOKUP)
    replacement = storage.Client(project="test-project").bucket(bucket.name).blob(one_snapshot.name)
    done = run_while_held(
        ["snapshot", "delete", "1", "--force"],
        held,
        lambda: replacement.upload_from_string(b"a newer object under the same name"),
    )
    assert done.code == 1
    assert "was not deleted: kept: changed since it was listed" in done.err
    kept = bucket.get_blob(one_snapshot.name)
    assert kept is not None and kept.generation != one_snapshot.generation


def test_delete_keeps_an_object_protected_after_it_was_resolved(
    bucket: storage.Bucket, fault_proxy: FaultProxy, one_snapshot: storage.Blob
) -> None:
    """fake-gcs-server ignores temporary holds: only our protection check keeps it."""
    held = fault_proxy.hold(**OBJECT_LOOKUP)

    def protect() -> None:
        blob = (
            storage.Client(project="test-project").bucket(bucket.name).get_blob(one_snapshot.name)
        )
        blob.metadata = {PROTECTED_KEY: "protected by a colleague meanwhile"}
        blob.patch()

    done = run_while_held(["snapshot", "delete", "1", "--force"], held, protect)
    assert done.code == 1
    assert "was not deleted: kept: protected since it was listed" in done.err
    assert bucket.get_blob(one_snapshot.name) is not None


def test_delete_of_an_object_that_vanished_after_it_was_resolved_says_so(
    bucket: storage.Bucket, fault_proxy: FaultProxy, one_snapshot: storage.Blob
) -> None:
    held = fault_proxy.hold(**OBJECT_LOOKUP)
    gone = storage.Client(project="test-project").bucket(bucket.name).blob(one_snapshot.name)
    done = run_while_held(["snapshot", "delete", "1", "--force"], held, gone.delete)
    assert done.code == 0, done.err
    assert "was already gone" in done.out
