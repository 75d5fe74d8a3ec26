"""`lookervault demo` (`make demo`): the whole story on local stand-ins, with no cloud account.

A Cloud Storage emulator and the Looker API stand-in start on loopback. The real Cloud Run job
entry point runs as a process, twice; the real retention function, served by
functions-framework, gets the second upload's `object.finalized` event. Then an admin's bad
day: dashboards broken and a folder deleted in Looker. `snapshot diff` against a fresh
extraction shows what broke, `restore --from-snapshot 1` puts it back, and a last extraction
must equal the snapshot again, up to ids, but for what the restore said it adjusted. The
stand-in holds what real instances hold after a while: a tile on a deleted look, content of
users who left, schedules of deleted dashboards. Every command runs as the user would type it.
Everything lives in one temporary folder, removed after; every process started is stopped.
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import google.cloud.storage as storage
import looker_sdk
from looker_sdk import models40 as m

from lookervault.errors import RuntimeFailure
from lookervault.local.emulator import local_gcs
from lookervault.local.function import finalize_event, serve_function
from lookervault.local.standin import SeedSize, StandIn
from lookervault.local.standin.sdk import StandInSettings
from lookervault.looker import store
from lookervault.looker.compare import compare
from lookervault.looker.extract import extract

BUCKET = "lookervault-demo"
OWN_SETTINGS = ("LOOKERVAULT_", "LOOKERSDK_")
STEPS = 7
Say = Callable[[str], None]
Json = dict[str, Any]


@dataclass(frozen=True)
class Breakage:
    """What the demo broke in Looker, to say so."""

    renamed: str
    lost_tile: str
    trashed: str
    folder: str
    in_folder: int


class Story:
    """Numbered steps, each timed; the first failure names its step."""

    def __init__(self, say: Say) -> None:
        self.say = say
        self.number = 0
        self.title = ""
        self.started = time.monotonic()

    @contextlib.contextmanager
    def step(self, title: str) -> Iterator[None]:
        self.number += 1
        self.title = title
        started = time.monotonic()
        self.say(f"[{self.number}/{STEPS}] {title}")
        yield
        self.say(f"      ({time.monotonic() - started:.1f} s)")

    def show(self, text: str, prefix: str = "      ") -> None:
        for line in text.rstrip().splitlines():
            self.say(f"{prefix}{line}")


def run_demo(say: Say, dashboards: int = 20, keep_running: bool = False) -> None:
    """Tell the story; its last line says PASSED or FAILED (then raise RuntimeFailure).

    `keep_running`: after a pass, leave the stand-ins running for the user's own commands
    until Ctrl-C, then remove everything.
    """
    story = Story(say)
    try:
        with (
            _environ(hide=OWN_SETTINGS),
            tempfile.TemporaryDirectory(prefix="lookervault-demo-") as tmp,
        ):
            _tell(story, Path(tmp), dashboards, keep_running)
    except Exception as exc:
        say(f"Demo FAILED at step {story.number} ({story.title}): {exc}")
        if isinstance(exc, RuntimeFailure):
            raise
        raise RuntimeFailure(f"The demo failed: {exc}") from exc


def _tell(story: Story, scratch: Path, dashboards: int, keep_running: bool) -> None:
    for folder in ("work", "state", "logs"):
        (scratch / folder).mkdir()
    (scratch / "lookervault.toml").write_text("")
    with contextlib.ExitStack() as running:
        with story.step("Start a Cloud Storage emulator and a Looker API stand-in on loopback"):
            emulator = running.enter_context(local_gcs())
            seed = SeedSize.scaled(dashboards)
            standin = running.enter_context(StandIn(seed=seed, record=False, dangling=True))
            story.show(f"Cloud Storage emulator  {emulator}")
            story.show(f"Looker API stand-in     {standin.base_url}, {_counts(standin.counts())}")
        env = _environment(standin, emulator, scratch)
        running.enter_context(_environ(STORAGE_EMULATOR_HOST=emulator))
        client = storage.Client(project="lookervault-demo")
        client.create_bucket(BUCKET)
        with story.step("Backup 1: the Cloud Run job entry point as a process"):
            _run_job(story, env, "lookervault-backup-demo1")
        with story.step(
            "Backup 2, after a new dashboard; its object.finalized event fires retention"
        ):
            added = _add_dashboard(standin)
            story.show(f"someone adds dashboard {added!r}")
            _second_backup(story, env, emulator, scratch, client)
        with story.step("A bad day in Looker: dashboards broken, a folder deleted"):
            broken = _break(standin)
            story.show(
                f"renamed dashboard {broken.renamed!r}; deleted a tile of {broken.lost_tile!r};\n"
                f"moved {broken.trashed!r} to the trash; deleted folder {broken.folder!r} with "
                f"the {broken.in_folder} looks and dashboards in it"
            )
        with story.step("What broke: `extract` the live Looker, `snapshot diff 1 --db` it"):
            live = scratch / "live.db"
            _lookervault(story, env, "extract", "--db", str(live), quiet=True)
            _lookervault(story, env, "snapshot", "diff", "1", "--db", str(live))
        with story.step("Put it back: `restore --from-snapshot 1 --yes`"):
            args = ("restore", "--from-snapshot", "1", "--yes", "--json")
            report = json.loads(_lookervault(story, env, *args, quiet=True))
            _show_restore(story, report)
        with story.step("Check: extract Looker again; it must equal snapshot 1, up to ids"):
            _check(story, env, standin, scratch, report)
        story.say(
            f"Demo PASSED in {time.monotonic() - story.started:.0f} s: two verified snapshots, "
            "retention applied, what broke found by diff, and Looker restored to equal the backup."
        )
        if keep_running:
            _serve(story, env, scratch)


def _environment(standin: StandIn, emulator: str, scratch: Path) -> dict[str, str]:
    """What every process of the demo sees: the stand-ins, never the user's own settings."""
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(OWN_SETTINGS)},
        "STORAGE_EMULATOR_HOST": emulator,
        "GOOGLE_CLOUD_PROJECT": "lookervault-demo",
        "COLUMNS": "120",
        "LOOKERVAULT_BUCKET": BUCKET,
        "LOOKERVAULT_CONFIG": str(scratch / "lookervault.toml"),
        "LOOKERVAULT_WORK_DIR": str(scratch / "work"),
        "LOOKERVAULT_STATE_DIR": str(scratch / "state"),
        "XDG_STATE_HOME": str(scratch / "state"),
        "LOOKERSDK_BASE_URL": standin.base_url,
        "LOOKERSDK_CLIENT_ID": standin.client_id,
        "LOOKERSDK_CLIENT_SECRET": standin.client_secret,
        "LOOKERSDK_VERIFY_SSL": "false",
        "CLOUD_RUN_JOB": "lookervault-backup",
        "CLOUD_RUN_TASK_INDEX": "0",
        "CLOUD_RUN_TASK_COUNT": "1",
        "CLOUD_RUN_TASK_ATTEMPT": "0",
    }


def _run_job(story: Story, env: Mapping[str, str], execution: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "lookervault.backup.job"],
        env={**env, "CLOUD_RUN_EXECUTION": execution},
        capture_output=True,
        text=True,
    )
    for line in done.stdout.splitlines():
        entry = json.loads(line)
        story.say(f"      job log [{entry['severity']}] {entry['message']}")
    if done.returncode != 0:
        raise RuntimeFailure(
            f"The backup job exited with {done.returncode}.", done.stderr.strip() or None
        )


def _second_backup(
    story: Story, env: Mapping[str, str], emulator: str, scratch: Path, client: storage.Client
) -> None:
    """Cloud Storage sends the event to the function; the emulator cannot, so the demo does."""
    with serve_function(emulator, scratch / "logs", {}) as (url, log):
        story.show(f"retention function (functions/main.py) under functions-framework at {url}")
        _run_job(story, env, "lookervault-backup-demo2")
        newest = max(client.list_blobs(BUCKET), key=lambda blob: blob.name)
        headers, body = finalize_event(BUCKET, newest.name, newest.generation, "demo-event")
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        with urllib.request.urlopen(request, timeout=60) as answer:
            status = answer.status
        story.show(f"POST object.finalized for {newest.name}: HTTP {status}")
        entries = [
            json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")
        ]
    for entry in entries:
        story.say(f"      function log [{entry['severity']}] {entry['message']}")
    if not any("retention_summary" in entry for entry in entries):
        raise RuntimeFailure("The retention function logged no summary for the event.")


def _add_dashboard(standin: StandIn) -> str:
    """An ordinary day: a new dashboard between two backups (what `snapshot diff 2 1` shows)."""
    sdk = looker_sdk.init40(config_settings=StandInSettings(standin))
    folder = next(f for f in standin.items("folders") if f.get("is_shared_root"))
    title = "Quarterly review"
    sdk.create_dashboard(m.WriteDashboard(title=title, folder_id=str(folder["id"])))
    return title


def _break(standin: StandIn) -> Breakage:
    """Break Looker the ways admins lose content, through the real SDK."""
    sdk = looker_sdk.init40(config_settings=StandInSettings(standin))
    folders = {str(f["id"]): f for f in standin.items("folders")}
    dashboards = [d for d in standin.items("dashboards") if not d.get("deleted")]
    looks = standin.items("looks")
    target = next(
        f
        for f in folders.values()
        if f.get("parent_id") is not None
        and not f.get("is_personal")
        and any(str(d["folder_id"]) == str(f["id"]) for d in dashboards)
    )
    subtree = _subtree(folders, str(target["id"]))
    outside = [d for d in dashboards if str(d["folder_id"]) not in subtree]
    with_tiles = [d for d in outside if len(d.get("dashboard_elements") or []) > 1]
    renamed, lost_tile = with_tiles[0], with_tiles[1]
    trashed = next(d for d in outside if d not in (renamed, lost_tile))
    in_folder = sum(
        1 for item in [*standin.items("dashboards"), *looks] if str(item["folder_id"]) in subtree
    )
    sdk.update_dashboard(renamed["id"], m.WriteDashboard(title=f"{renamed['title']} (broken)"))
    sdk.delete_dashboard_element(lost_tile["dashboard_elements"][0]["id"])
    sdk.update_dashboard(trashed["id"], m.WriteDashboard(deleted=True))
    sdk.delete_folder(target["id"])
    return Breakage(
        renamed["title"], lost_tile["title"], trashed["title"], target["name"], in_folder
    )


def _subtree(folders: Mapping[str, Json], root: str) -> set[str]:
    found = {root}
    while more := {i for i, f in folders.items() if str(f.get("parent_id")) in found} - found:
        found |= more
    return found


def _lookervault(story: Story, env: Mapping[str, str], *args: str, quiet: bool = False) -> str:
    """Run `lookervault ARGS` as the user would, show what it printed (unless `quiet`), and
    return its output."""
    story.say(f"    $ lookervault {' '.join(args)}")
    done = subprocess.run(
        [sys.executable, "-m", "lookervault", *args],
        env=dict(env),
        capture_output=True,
        text=True,
        cwd=env["LOOKERVAULT_WORK_DIR"],
    )
    if not quiet or done.returncode != 0:
        story.show(done.stdout + done.stderr)
    if done.returncode != 0:
        raise RuntimeFailure(f"`lookervault {args[0]}` exited with {done.returncode}.")
    return done.stdout


def _show_restore(story: Story, report: Json) -> None:
    """What the restore did, per type, and each item it carried over otherwise than backed up
    (the plan named them before writing)."""
    for type_name, counts in report["counts"].items():
        done = {result: n for result, n in counts.items() if result != "unchanged"}
        if done:
            story.show(f"{type_name}: " + ", ".join(f"{n} {r}" for r, n in done.items()))
    for step in report["adjusted"]:
        what = f"{step['type']} {step['id']} {step['title']!r}"
        for text in step["adjustments"]:
            story.show(f"adjusted {what}: {text}")
        if step["action"] == "skip":
            story.show(f"left out {what}: {step['reason']}")


def _check(
    story: Story, env: Mapping[str, str], standin: StandIn, scratch: Path, report: Json
) -> None:
    """The snapshot (downloaded and verified) against a new extraction, up to ids; the items
    the restore said it adjusted or left out are set aside on both sides."""
    snapshot_db = scratch / "snapshot.db"
    _lookervault(story, env, "snapshot", "download", "1", "--output", str(snapshot_db))
    adjusted = {(s["type"], s["id"]) for s in report["adjusted"]}
    made = {
        (i["type"], i["target_id"])
        for i in report["items"]
        if (i["type"], i["id"]) in adjusted and i["target_id"]
    }
    backed_up = _without(store.read_items(snapshot_db), adjusted)
    after = scratch / "after.db"
    extract(after, settings=StandInSettings(standin), workers=4)
    differences = compare(backed_up, _without(store.read_items(after), made))
    compared = sum(len(items) for items in backed_up.values())
    if differences:
        story.show("\n".join(str(d) for d in differences[:20]))
        raise RuntimeFailure(f"{len(differences)} item(s) differ from the snapshot.")
    story.show(
        f"{compared} items compared: Looker equals the backup again; {len(report['adjusted'])} "
        "more came back adjusted or were left out, as the restore said."
    )


def _without(
    items: Mapping[str, Mapping[str, Json]], keys: set[tuple[str, str]]
) -> dict[str, dict[str, Json]]:
    return {t: {i: x for i, x in found.items() if (t, i) not in keys} for t, found in items.items()}


def _serve(story: Story, env: Mapping[str, str], scratch: Path) -> None:
    """Keep the stand-ins up for the user's own commands until Ctrl-C."""
    settings = scratch / "env.sh"
    shared = (*OWN_SETTINGS, "STORAGE_EMULATOR_HOST", "GOOGLE_CLOUD_PROJECT")
    names = [k for k in env if k.startswith(shared)]
    exports = "".join(f"export {name}={shlex.quote(env[name])}\n" for name in sorted(names))
    descriptor = os.open(settings, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(exports)
    story.say(
        "The emulator and the Looker stand-in keep running. In another terminal:\n"
        f"    source {settings}\n"
        "    lookervault snapshot list -v\n"
        "    lookervault snapshot diff 2 1\n"
        "    lookervault snapshot browse\n"
        "    lookervault restore --from-snapshot 2 --dry-run\n"
        "Press Ctrl-C here to stop them and remove everything."
    )
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        story.say("Stopping the stand-ins and removing the demo's folder.")


def _counts(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items()))


@contextlib.contextmanager
def _environ(hide: tuple[str, ...] = (), **values: str) -> Iterator[None]:
    """This process's environment without variables starting with `hide` and with `values`,
    put back as it was afterwards."""
    saved = dict(os.environ)
    for key in [k for k in os.environ if k.startswith(hide)] if hide else []:
        del os.environ[key]
    os.environ.update(values)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)
