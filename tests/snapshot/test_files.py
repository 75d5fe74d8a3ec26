"""Issue 11, items 1 and 6: the file named is the file used, and nothing is left behind."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
from pathlib import Path

import google.cloud.storage as storage
import pytest

from lookervault.local.sample import make_sample_db
from lookervault.local.standin import StandIn
from tests.support.cli import LOOKERVAULT, assert_no_traceback, run_cli
from tests.support.fault_proxy import FaultProxy
from tests.support.looker_fixtures import looker_env, standin, standin_factory  # noqa: F401

# Each name would make SQLite open another file if put into a `file:` URI unescaped: `#` starts
# a fragment, `?` a query, `%25` decodes to `%`, and a `file:` name is itself read as a URI.
AWKWARD_NAMES = ["prod#1.db", "what?.db", "100%25.db", "file:looker.db"]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_every_path_is_the_file_used_whatever_characters_it_holds(
    bucket: storage.Bucket, tmp_path: Path
) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    uploaded = {}
    for number, name in enumerate(AWKWARD_NAMES):
        source = make_sample_db(sources / name, (64 + 32 * number) * 1024, seed=number)
        result = run_cli("snapshot", "upload", "--source", name, "--json", cwd=sources)
        assert result.code == 0, result.err
        assert result.json()["raw_size_bytes"] == source.stat().st_size, name
        uploaded[name] = result.json()
    assert sorted(p.name for p in sources.iterdir()) == sorted(AWKWARD_NAMES)

    outputs = tmp_path / "outputs"
    outputs.mkdir()
    for name, info in uploaded.items():
        done = run_cli("snapshot", "download", info["name"], "-o", name, "--json", cwd=outputs)
        assert done.code == 0, done.err
        assert sha256(outputs / name) == info["raw_sha256"], name
    assert sorted(p.name for p in outputs.iterdir()) == sorted(AWKWARD_NAMES)


def test_extract_writes_exactly_the_named_database(
    looker_env: StandIn,  # noqa: F811
    tmp_path: Path,
) -> None:
    name = "file:looker#1.db"
    done = run_cli("extract", "folders", "users", "--db", name, "--json", cwd=tmp_path)
    assert done.code == 0, done.err
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["lookervault.toml", name])
    assert done.json()["total"] > 0


def test_a_downloaded_wal_snapshot_leaves_no_wal_files_and_follows_the_umask(
    bucket: storage.Bucket, sample_db: Path, tmp_path: Path
) -> None:
    assert run_cli("snapshot", "upload", "--source", str(sample_db)).code == 0
    folder = tmp_path / "restore"
    folder.mkdir()
    umask_027 = ["sh", "-c", 'umask 027 && exec "$@"', "sh"]
    done = run_cli("snapshot", "download", "1", "-o", str(folder / "looker.db"), prefix=umask_027)
    assert done.code == 0, done.err
    assert (folder / "looker.db").read_bytes()[18:20] == b"\x02\x02"  # a WAL-mode database
    assert [p.name for p in folder.iterdir()] == ["looker.db"]
    assert oct((folder / "looker.db").stat().st_mode & 0o777) == oct(0o640)


def test_overwriting_keeps_the_replaced_files_permissions(
    bucket: storage.Bucket, sample_db: Path, tmp_path: Path
) -> None:
    assert run_cli("snapshot", "upload", "--source", str(sample_db)).code == 0
    out = tmp_path / "looker.db"
    out.write_bytes(b"old")
    out.chmod(0o604)
    done = run_cli("snapshot", "download", "1", "-o", str(out), "--overwrite")
    assert done.code == 0, done.err
    assert oct(out.stat().st_mode & 0o777) == oct(0o604)


def stop_while_held(command: list[str], held: object, signum: int, env: dict[str, str]) -> str:
    """Start `command`, wait until the proxy holds its request, send `signum`; its stderr."""
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert held.held.wait(timeout=60), "the request never reached the proxy"  # type: ignore[attr-defined]
        process.send_signal(signum)
        _, err = process.communicate(timeout=60)
    finally:
        held.released.set()  # type: ignore[attr-defined]
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert_no_traceback(err)
    assert process.returncode == 2, err
    assert f"Cancelled by {signal.Signals(signum).name}." in err
    return err


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_a_download_stopped_by_a_signal_leaves_no_part_file(
    bucket: storage.Bucket,
    fault_proxy: FaultProxy,
    sample_db: Path,
    tmp_path: Path,
    signum: int,
) -> None:
    assert run_cli("snapshot", "upload", "--source", str(sample_db)).code == 0
    folder = tmp_path / "restore"
    folder.mkdir()
    held = fault_proxy.hold(method="GET", query="alt=media")
    command = [*LOOKERVAULT, "snapshot", "download", "1", "-o", str(folder / "looker.db")]
    stop_while_held(command, held, signum, dict(os.environ))
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_an_upload_stopped_by_a_signal_leaves_no_copy_and_no_object(
    bucket: storage.Bucket,
    fault_proxy: FaultProxy,
    sample_db: Path,
    tmp_path: Path,
    signum: int,
) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    held = fault_proxy.hold(method="POST", query="uploadType=resumable")
    command = [*LOOKERVAULT, "snapshot", "upload", "--source", str(sample_db)]
    stop_while_held(command, held, signum, {**os.environ, "TMPDIR": str(scratch)})
    assert list(scratch.iterdir()) == []
    assert list(bucket.client.list_blobs(bucket.name)) == []
