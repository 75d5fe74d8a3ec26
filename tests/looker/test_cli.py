"""`lookervault extract` end to end: exit codes, --json, secrets, and --resume after a kill."""

from __future__ import annotations

import json
import logging
import os
import pty
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from lookervault.cli import main
from lookervault.local.standin import StandIn
from lookervault.looker.content_types import BY_NAME
from tests.looker.conftest import Extract, content
from tests.support.looker_fixtures import sdk_env, standin_factory  # noqa: F401

LOOKERVAULT = str(Path(sys.executable).with_name("lookervault"))


def test_json_summary_has_counts_per_type(
    looker_env: StandIn, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["extract", "--db", str(tmp_path / "x.db"), "--json", "--page-size", "9"])
    out = capsys.readouterr()
    assert code == 0, out.err
    summary = json.loads(out.out)
    assert summary["counts"] == looker_env.counts()
    assert summary["total"] == sum(looker_env.counts().values())
    assert summary["db"] == str(tmp_path / "x.db") and summary["resumed"] is False


def test_the_client_secret_appears_in_no_log_or_output(
    looker_env: StandIn,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    assert main(["extract", "folders", "users", "--db", str(tmp_path / "x.db")]) == 0
    looker_env.faults.fail_page("/users/search", times=10)
    assert main(["extract", "users", "--db", str(tmp_path / "x.db"), "--max-retries", "0"]) == 1
    out = capsys.readouterr()
    assert caplog.records, "nothing was logged: the check would prove nothing"
    secret = looker_env.client_secret
    for text in (out.out, out.err, caplog.text):
        assert secret not in text
    assert secret.encode() not in (tmp_path / "x.db").read_bytes()


def test_missing_credentials_exit_2_naming_the_settings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["extract", "--db", str(tmp_path / "x.db")]) == 2
    err = capsys.readouterr().err
    assert "LOOKERSDK_CLIENT_SECRET" in err and "looker.ini" in err
    assert not (tmp_path / "x.db").exists()


def test_a_rejected_secret_exits_2(
    looker_env: StandIn,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("LOOKERSDK_CLIENT_SECRET", "wrong-secret")
    assert main(["extract", "--db", str(tmp_path / "x.db")]) == 2
    err = capsys.readouterr().err
    assert "rejected" in err and "LOOKERSDK_CLIENT_ID" in err and "wrong-secret" not in err


def test_an_unreachable_looker_exits_1(
    looker_env: StandIn,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = looker_env.base_url
    looker_env.stop()
    monkeypatch.setenv("LOOKERSDK_BASE_URL", url)
    assert main(["extract", "--db", str(tmp_path / "x.db"), "--max-retries", "1"]) == 1
    assert "Cannot reach Looker" in capsys.readouterr().err


def test_an_unknown_type_exits_2(looker_env: StandIn, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["extract", "widgets"]) == 2
    assert "widgets" in capsys.readouterr().err


def test_a_page_failing_beyond_the_budget_exits_1_naming_the_type(
    looker_env: StandIn, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    looker_env.faults.fail_page("/dashboards/search", offset=10, times=100, status=503)
    db = str(tmp_path / "x.db")
    code = main(["extract", "dashboards", "--db", db, "--page-size", "5", "--max-retries", "2"])
    err = capsys.readouterr().err
    assert code == 1
    assert "dashboards" in err and "offset 10" in err and "503" in err and "--resume" in err


def committed_pages(db: Path) -> int:
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            return int(conn.execute("select count(*) from run_pages").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error:
        return 0


def test_resume_after_a_killed_run_ends_with_the_uninterrupted_database(
    run_extract: Extract, looker_env: StandIn, tmp_path: Path
) -> None:
    reference = tmp_path / "reference.db"
    run_extract(reference)
    db = tmp_path / "killed.db"
    looker_env.faults.latency_s = 0.02
    command = [LOOKERVAULT, "extract", "--db", str(db), "--page-size", "3", "--workers", "2"]
    process = subprocess.Popen(
        command, env=os.environ.copy(), stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 60
    while committed_pages(db) < 8 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    out, err = process.communicate()
    assert process.returncode == -signal.SIGKILL, "the run ended before it could be killed"
    conn = sqlite3.connect(db)
    status = conn.execute("select status from runs").fetchall()
    done = conn.execute("select type, stream, page_offset from run_pages").fetchall()
    conn.close()
    assert status == [("running",)] and len(done) >= 8
    assert content(db) != content(reference)

    looker_env.clear_exchanges()
    looker_env.faults.latency_s = 0.0
    resumed = subprocess.run(
        [*command, "--resume", "--json"], env=os.environ.copy(), capture_output=True, timeout=120
    )
    assert resumed.returncode == 0, resumed.stderr.decode()
    summary = json.loads(resumed.stdout)
    assert summary["resumed"] is True and summary["run_id"] == 1
    assert content(db) == content(reference)
    for type_name, stream, offset in done:
        ct = BY_NAME[type_name]
        wanted = {**ct.streams[stream], "offset": str(offset)}
        for exchange in looker_env.exchanges:
            if exchange.path.endswith(ct.list_path):
                query = {k: v[-1] for k, v in parse_qs(exchange.query).items()}
                assert not wanted.items() <= query.items(), f"{type_name} page {offset} refetched"
    secret = looker_env.client_secret.encode()
    for text in (out, err, resumed.stdout, resumed.stderr):
        assert secret not in text


def test_progress_bars_show_on_a_terminal_only(looker_env: StandIn, tmp_path: Path) -> None:
    leader, follower = pty.openpty()
    command = [LOOKERVAULT, "extract", "folders", "users", "--db", str(tmp_path / "x.db")]
    child = subprocess.Popen(command, env=os.environ.copy(), stdout=follower, stderr=follower)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert child.wait(timeout=60) == 0
    terminal = b"".join(chunks).decode(errors="replace")
    assert "\x1b[" in terminal and "━" in terminal, terminal
    piped = subprocess.run(command, env=os.environ.copy(), capture_output=True, text=True)
    assert piped.returncode == 0 and "\x1b[" not in piped.stdout
    assert piped.stdout.splitlines()[0].split() == ["type", "items", "gone"]


def test_resume_refuses_a_run_of_other_types(
    looker_env: StandIn, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "x.db")
    looker_env.faults.fail_page("/users/search", times=100)
    assert main(["extract", "folders", "users", "--db", db, "--max-retries", "0"]) == 1
    capsys.readouterr()
    assert main(["extract", "dashboards", "--db", db, "--resume"]) == 2
    err = capsys.readouterr().err
    assert "The interrupted run 1 extracted folders, users, not dashboards." in err
    assert "without --resume" in err


def test_resume_refuses_a_run_against_another_host(
    standin_factory: Callable[..., StandIn],  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    first, second = standin_factory(), standin_factory()
    db = str(tmp_path / "x.db")
    for key, value in sdk_env(first).items():
        monkeypatch.setenv(key, value)
    first.faults.fail_page("/users/search", times=100)
    assert main(["extract", "folders", "users", "--db", db, "--max-retries", "0"]) == 1
    for key, value in sdk_env(second).items():
        monkeypatch.setenv(key, value)
    capsys.readouterr()
    assert main(["extract", "--db", db, "--resume"]) == 2
    err = capsys.readouterr().err
    first_host, second_host = (s.base_url.removeprefix("http://") for s in (first, second))
    assert f"was against {first_host}, not {second_host}" in err
    assert "LOOKERSDK_BASE_URL" in err
