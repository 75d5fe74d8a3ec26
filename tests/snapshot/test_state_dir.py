"""Issue 11, item 3: do the action and report it, or fail before it."""

from __future__ import annotations

from pathlib import Path

import google.cloud.storage as storage

from tests.support.cli import on_small_disk, run_cli


def test_an_unwritable_state_folder_warns_after_acting_and_keeps_the_exit_code(
    bucket: storage.Bucket, sample_db: Path, tmp_path: Path
) -> None:
    mount = tmp_path / "readonly"
    mount.mkdir()
    read_only = on_small_disk(mount, 64, read_only=True)
    env = {"LOOKERVAULT_STATE_DIR": str(mount / "state")}

    uploaded = run_cli("snapshot", "upload", "--source", str(sample_db), env=env, prefix=read_only)
    assert uploaded.code == 0, uploaded.err
    assert "snapshot.created" in uploaded.err and "audit log" in uploaded.err
    assert "LOOKERVAULT_STATE_DIR" in uploaded.err
    (blob,) = bucket.client.list_blobs(bucket.name)

    protected = run_cli("snapshot", "protect", "1", env=env, prefix=read_only)
    assert protected.code == 0, protected.err
    assert "snapshot.protected" in protected.err
    assert bucket.get_blob(blob.name).metadata["lookervault-protected-reason"] == "protected"

    listed = run_cli("snapshot", "list", env=env, prefix=read_only)
    assert listed.code == 0, listed.err
    assert blob.crc32c in listed.out
    assert "Warning: Could not write the listing cache" in listed.err
