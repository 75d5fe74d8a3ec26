"""The snapshot browser behind `lookervault snapshot browse` (textual).

Browsing reads the listing only: the preview and the chart come from each object's metadata,
so nothing is downloaded until an action asks for it. Typing always goes to the filter;
arrow keys move through the snapshots; function keys act on the highlighted one, and every
action that writes asks first (Escape cancels).
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import google.cloud.storage as storage
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Header, Input, Sparkline, Static

from lookervault.audit import local_actor
from lookervault.cli.common import counts_table, human_size, local_recorder
from lookervault.cli.diff import describe_change
from lookervault.cli.restore import ACTIONS
from lookervault.config import Settings
from lookervault.errors import LookerVaultError
from lookervault.looker.diff import KINDS
from lookervault.snapshot import service
from lookervault.snapshot.catalog import INCOMPLETE_KEY, PROTECTED_KEY, Snapshot
from lookervault.snapshot.copies import temporary_copy
from lookervault.snapshot.diff import Report, diff_resolved
from lookervault.snapshot.refs import Resolved
from lookervault.snapshot.upload import META

if TYPE_CHECKING:
    from lookervault.restore.service import Restore

SHOWN_CHANGES = 200
FAILED: Any = object()
"""What a blocking call returns when it failed (and said why)."""


@dataclass(frozen=True)
class LookerTarget:
    """Where the restore action writes: looker.ini / LOOKERSDK_*, as for `restore`."""

    looker_ini: str = "looker.ini"
    section: str | None = None
    workers: int = 8
    rate_limit: float | None = None
    max_retries: int = 5


class Confirm(ModalScreen[bool]):
    """A body (a plan, a question) and y / n; Escape is no."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n", "answer(False)", "No"),
        Binding("escape", "answer(False)", "Cancel"),
    ]

    def __init__(self, body: RenderableType, question: str) -> None:
        super().__init__()
        self.body = body
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield VerticalScroll(Static(self.body, id="body"))
            yield Static(Text(f"{self.question}  [y] yes  [n / Escape] no", style="bold"))

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class Prompt(ModalScreen[str | None]):
    """One line of text; Enter accepts, Escape cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, question: str, value: str = "") -> None:
        super().__init__()
        self.question = question
        self.value = value

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(f"{self.question}  [Enter] ok  [Escape] cancel", style="bold"))
            yield Input(value=self.value, id="answer")

    @on(Input.Submitted)
    def accept(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class Showing(ModalScreen[None]):
    """Something to read (a diff); Escape closes."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close"),
        Binding("q", "close", "Close"),
    ]

    def __init__(self, body: RenderableType) -> None:
        super().__init__()
        self.body = body

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield VerticalScroll(Static(self.body, id="body"))
            yield Static(Text("[Escape] close", style="bold"))

    def action_close(self) -> None:
        self.dismiss(None)


class SnapshotBrowser(App[None]):
    """Snapshots newest first, a preview of the highlighted one, and a chart over time."""

    TITLE = "LookerVault snapshots"
    ENABLE_COMMAND_PALETTE = False
    CSS = """
    #filter { dock: top; }
    #body { height: 1fr; }
    #snapshots { width: 3fr; }
    #side { width: 2fr; }
    #preview { height: 1fr; }
    #chart { height: auto; }
    #chart Sparkline { height: 2; margin-bottom: 1; }
    #status { dock: bottom; height: 1; }
    Confirm, Prompt, Showing { align: center middle; }
    .dialog { width: 90%; height: auto; max-height: 90%; border: thick $accent;
              background: $surface; padding: 0 1; }
    .dialog VerticalScroll { height: auto; max-height: 30; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "move(-1)", "Up", show=False),
        Binding("down", "move(1)", "Down", show=False),
        Binding("pageup", "move(-10)", "Page up", show=False),
        Binding("pagedown", "move(10)", "Page down", show=False),
        Binding("escape", "clear_filter", "Clear filter", show=False),
        Binding("f2", "diff", "Diff with previous"),
        Binding("f3", "download", "Download"),
        Binding("f4", "restore", "Restore"),
        Binding("f5", "protect", "Protect/unprotect"),
        Binding("f8", "delete", "Delete"),
        Binding("f10", "quit", "Quit"),
    ]

    def __init__(
        self,
        settings: Settings,
        client: storage.Client,
        looker: LookerTarget | None = None,
        download_dir: Path | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.client = client
        self.bucket = settings.require_bucket()
        self.looker = looker or LookerTarget()
        self.download_dir = download_dir or Path.cwd()
        self.listed: list[service.Listed] = []
        self.shown: list[service.Listed] = []
        self.busy: str | None = None
        self.last_message = ""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder="Type to filter (date, time, protection reason, host)", id="filter")
        with Horizontal(id="body"):
            table: DataTable[str] = DataTable(id="snapshots", cursor_type="row")
            table.can_focus = False
            yield table
            with Vertical(id="side"):
                yield Static(id="preview")
                with Vertical(id="chart"):
                    yield Static(id="size-label")
                    yield Sparkline([], id="sizes")
                    yield Static(id="items-label")
                    yield Sparkline([], id="items")
        yield Static(id="status")
        yield Footer()

    def on_mount(self) -> None:
        folder = f"gs://{self.bucket}/{self.settings.prefix}{self.settings.instance}/"
        self.sub_title = folder
        table = self.query_one("#snapshots", DataTable)
        for column in ("#", "taken (UTC)", "size", "items", "protected"):
            table.add_column(column, key=column)
        self.query_one("#filter", Input).focus()
        self.reload()

    # --- the listing, the filter, the preview and the chart ---------------------------------

    @work(exclusive=True, group="listing")
    async def reload(self) -> None:
        listed = await self._blocking("Listing snapshots", self._list)
        self.listed = [] if listed is FAILED else listed
        self.refilter()
        self._draw_chart()

    def _list(self) -> list[service.Listed]:
        listed, _ = service.list_indexed(self.client, self.settings, use_cache=False)
        return listed

    @on(Input.Changed, "#filter")
    def refilter(self) -> None:
        """Show the snapshots that match the filter, keeping the highlighted one if it still
        shows."""
        was = self.selected.snapshot.name if self.selected else None
        text = self.query_one("#filter", Input).value.strip().lower()
        self.shown = [item for item in self.listed if text in _searchable(item.snapshot)]
        table = self.query_one("#snapshots", DataTable)
        table.clear()
        for item in self.shown:
            snap = item.snapshot
            total = sum(snap.counts.values()) if snap.counts else None
            table.add_row(
                str(item.index),
                f"{snap.timestamp.astimezone(UTC):%Y-%m-%d %H:%M:%S}",
                human_size(snap.size_bytes),
                "-" if total is None else f"{total:,}",
                (snap.metadata.get(PROTECTED_KEY) or "yes") if snap.protected else "",
                key=snap.name,
            )
        names = [item.snapshot.name for item in self.shown]
        if was in names:
            table.move_cursor(row=names.index(was))
        self._show_preview()

    @on(DataTable.RowHighlighted)
    def _highlighted(self) -> None:
        self._show_preview()

    def action_move(self, rows: int) -> None:
        table = self.query_one("#snapshots", DataTable)
        if self.shown:
            table.move_cursor(row=max(0, min(len(self.shown) - 1, table.cursor_row + rows)))

    def action_clear_filter(self) -> None:
        self.query_one("#filter", Input).value = ""

    @property
    def selected(self) -> service.Listed | None:
        row = self.query_one("#snapshots", DataTable).cursor_row
        return self.shown[row] if self.shown and 0 <= row < len(self.shown) else None

    def _show_preview(self) -> None:
        preview = self.query_one("#preview", Static)
        item = self.selected
        if item is None:
            preview.update("No snapshot matches." if self.listed else "No snapshots yet.")
            return
        preview.update(preview_of(item, self.bucket))

    def _draw_chart(self) -> None:
        oldest_first = list(reversed(self.listed))
        sizes = [float(item.snapshot.size_bytes) for item in oldest_first]
        totals = [float(sum(i.snapshot.counts.values())) for i in oldest_first if i.snapshot.counts]
        self.query_one("#sizes", Sparkline).data = sizes
        self.query_one("#items", Sparkline).data = totals
        self.query_one("#size-label", Static).update(
            f"Size of {len(sizes)} snapshot(s), oldest to newest: "
            + (f"{human_size(int(min(sizes)))} .. {human_size(int(max(sizes)))}" if sizes else "-")
        )
        self.query_one("#items-label", Static).update(
            "Items: "
            + (f"{int(min(totals)):,} .. {int(max(totals)):,}" if totals else "not recorded")
        )

    # --- actions ---------------------------------------------------------------------------

    def _resolved(self, item: service.Listed) -> Resolved:
        return Resolved(self.bucket, item.snapshot)

    @work(exclusive=True, group="action")
    async def action_diff(self) -> None:
        item = self.selected
        if item is None:
            return
        previous = next((i for i in self.listed if i.index == item.index + 1), None)
        if previous is None:
            self.say("This is the oldest snapshot: there is nothing before it to compare with.")
            return
        report = await self._blocking(
            "Comparing with the previous snapshot",
            diff_resolved,
            self.client,
            self.settings,
            self._resolved(previous),
            self._resolved(item),
        )
        if report is not FAILED:
            await self.push_screen_wait(Showing(diff_body(report)))

    @work(exclusive=True, group="action")
    async def action_download(self) -> None:
        item = self.selected
        if item is None:
            return
        default = self.download_dir / item.snapshot.filename.removesuffix(".gz")
        answer = await self.push_screen_wait(Prompt("Download and verify to:", str(default)))
        if answer is None:
            self.say("Download cancelled.")
            return
        result = await self._blocking(
            "Downloading",
            service.download,
            self.client,
            self._resolved(item),
            Path(answer).expanduser(),
            False,
        )
        if result is not FAILED:
            self.say(
                f"Downloaded {item.snapshot.filename} to {result.destination} "
                f"({human_size(result.raw.size)}, checksums and SQLite check passed)."
            )

    @work(exclusive=True, group="action")
    async def action_restore(self) -> None:
        item = self.selected
        if item is None:
            return
        with contextlib.ExitStack() as stack:
            prepared = await self._blocking(
                "Downloading the snapshot and planning the restore", self._plan, item, stack
            )
            if prepared is FAILED:
                return
            stack.callback(prepared.close)
            plan = prepared.plan
            body = plan_body(prepared, item.snapshot)
            if not plan.writes:
                await self.push_screen_wait(Showing(body))
                self.say("Nothing to restore: Looker already holds what this snapshot holds.")
                return
            question = f"Write {plan.writes} item(s) to Looker at {plan.target.host}?"
            if not await self.push_screen_wait(Confirm(body, question)):
                self.say("Restore cancelled; nothing was written.")
                return
            from lookervault.restore.service import execute

            recorder = local_recorder(self.settings)
            report = await self._blocking(
                "Restoring", execute, prepared, recorder, local_actor(), None
            )
            if report is not FAILED:
                failed = len(report.failed)
                self.say(
                    f"Restored from {item.snapshot.filename}: {report.write_requests} write "
                    f"request(s), {failed} item(s) failed"
                    + (" (run `lookervault restore --retry-failed`)." if failed else ".")
                )

    def _plan(self, item: service.Listed, stack: contextlib.ExitStack) -> Restore:
        """Download into a private folder (kept until the restore ends) and plan; no writes."""
        from lookervault.looker.client import RetryPolicy
        from lookervault.looker.client import load_settings as looker_settings
        from lookervault.restore.service import Selection, prepare

        database = stack.enter_context(
            temporary_copy(self.client, self._resolved(item), self.settings.work_dir)
        )
        looker = self.looker
        return prepare(
            database,
            looker_settings(looker.looker_ini, looker.section),
            Selection(),
            self.settings,
            workers=looker.workers,
            retry=RetryPolicy(max_attempts=looker.max_retries + 1),
            rate_limit_per_s=looker.rate_limit,
        )

    @work(exclusive=True, group="action")
    async def action_protect(self) -> None:
        item = self.selected
        if item is None:
            return
        snap, resolved = item.snapshot, self._resolved(item)
        record, actor = local_recorder(self.settings), local_actor()
        if snap.protected:
            if not await self.push_screen_wait(Confirm(snap.gcs_path(self.bucket), "Unprotect?")):
                self.say("Nothing was changed.")
                return
            done = await self._blocking(
                "Unprotecting",
                service.unprotect,
                self.client,
                self.settings,
                resolved,
                record,
                actor,
            )
            message = f"Unprotected {snap.filename}."
        else:
            reason = await self.push_screen_wait(Prompt(f"Protect {snap.filename}; reason:"))
            if reason is None:
                self.say("Nothing was changed.")
                return
            done = await self._blocking(
                "Protecting",
                service.protect,
                self.client,
                self.settings,
                resolved,
                reason,
                record,
                actor,
            )
            message = f"Protected {snap.filename}: {reason}."
        if done is not FAILED:
            self.say(message)
            self.reload()

    @work(exclusive=True, group="action")
    async def action_delete(self) -> None:
        item = self.selected
        if item is None:
            return
        snap = item.snapshot
        if snap.protected:
            self.say(f"{snap.filename} is protected; unprotect it first (F5).", error=True)
            return
        question = f"Delete {snap.gcs_path(self.bucket)}? This cannot be undone."
        if not await self.push_screen_wait(Confirm(preview_of(item, self.bucket), question)):
            self.say("Delete cancelled; nothing was changed.")
            return
        deleted = await self._blocking(
            "Deleting",
            service.delete,
            self.client,
            self.settings,
            self._resolved(item),
            local_recorder(self.settings),
            local_actor(),
        )
        if deleted is not FAILED:
            self.say(
                f"Deleted {snap.filename}." if deleted else f"{snap.filename} was already gone."
            )
            self.reload()

    # --- running blocking calls off the event loop -----------------------------------------

    async def _blocking(self, doing: str, function: Any, *args: Any) -> Any:
        """Run a blocking call in a thread with a status line. An error becomes a message (the
        browser stays open) and the result FAILED."""
        self.busy = doing
        self.query_one("#status", Static).update(f"{doing}...")
        try:
            return await asyncio.to_thread(function, *args)
        except LookerVaultError as exc:
            self.say(exc.message + (f" {exc.hint}" if exc.hint else ""), error=True)
            return FAILED
        except Exception as exc:
            self.say(f"{doing} failed: {type(exc).__name__}: {exc}", error=True)
            return FAILED
        finally:
            self.busy = None
            self.query_one("#status", Static).update("")

    def say(self, message: str, error: bool = False) -> None:
        self.last_message = message
        self.notify(message, severity="error" if error else "information", timeout=8)


def _searchable(snap: Snapshot) -> str:
    return " ".join(
        [
            snap.filename,
            f"{snap.timestamp.astimezone(UTC):%Y-%m-%d %H:%M:%S}",
            snap.metadata.get(PROTECTED_KEY) or "",
            snap.metadata.get(f"{META}looker-host") or "",
        ]
    ).lower()


def preview_of(item: service.Listed, bucket: str) -> RenderableType:
    """What the object's metadata says: no download."""
    snap, meta = item.snapshot, item.snapshot.metadata
    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="bold")
    facts.add_column()
    raw = meta.get(f"{META}raw-size")
    rows = [
        ("snapshot", f"#{item.index} {snap.gcs_path(bucket)}"),
        ("taken", f"{snap.timestamp.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC"),
        ("size", human_size(snap.size_bytes) + (f" (raw {human_size(int(raw))})" if raw else "")),
        ("crc32c", f"{snap.crc32c}, generation {snap.generation}"),
        ("protected", _protection(snap)),
        (
            "looker",
            f"{meta.get(f'{META}looker-host', '-')} {meta.get(f'{META}looker-version', '')}",
        ),
        ("extracted", _extracted(meta)),
        ("job", meta.get(f"{META}execution", "-")),
    ]
    if snap.incomplete:
        rows.append(("incomplete", meta.get(INCOMPLETE_KEY, "yes")))
    for label, value in rows:
        facts.add_row(label, value)
    counts = snap.counts
    if not counts:
        return Group(facts, Text("\nNo content counts recorded (uploaded by hand?)."))
    table = Table(title="Content", title_justify="left")
    table.add_column("type")
    table.add_column("items", justify="right")
    for type_name, count in sorted(counts.items()):
        table.add_row(type_name, f"{count:,}")
    return Group(facts, table)


def _protection(snap: Snapshot) -> str:
    if not snap.protected:
        return "no"
    reason = snap.metadata.get(PROTECTED_KEY) or "temporary hold"
    who = snap.metadata.get("lookervault-protected-by")
    return f"yes: {reason}" + (f" (by {who})" if who else "")


def _looker(meta: dict[str, str]) -> str:
    return f"{meta.get(f'{META}looker-host', '-')} {meta.get(f'{META}looker-version', '')}"


def _extracted(meta: dict[str, str]) -> str:
    started = meta.get(f"{META}extract-started")
    finished = meta.get(f"{META}extract-finished")
    return f"{started} .. {finished}" if started else "-"


def diff_body(report: Report) -> RenderableType:
    lines: list[RenderableType] = [
        Text(f"From {report.before.label}\nTo   {report.after.label}\n"),
    ]
    counts = report.diff.counts()
    if not counts:
        lines.append(Text(f"No changes in {report.diff.compared} items compared."))
        return Group(*lines)
    lines.append(counts_table("Changes", KINDS, counts))
    changes = report.diff.changes
    lines += [Text(describe_change(c)) for c in changes[:SHOWN_CHANGES]]
    if len(changes) > SHOWN_CHANGES:
        lines.append(Text(f"... and {len(changes) - SHOWN_CHANGES} more: `snapshot diff -v`."))
    return Group(*lines)


def plan_body(prepared: Restore, snap: Snapshot) -> RenderableType:
    """The dry-run plan, as `restore --dry-run` shows it."""
    plan = prepared.plan
    identity = plan.resolver.identity
    where = "the same instance" if identity.same else "another instance"
    header = Text(
        f"Restore {snap.filename} into {plan.target.host}: {where}, because {identity.reason}."
        " Plan:"
    )
    notes = [Text(f"Note: {note}") for note in prepared.notes]
    return Group(header, counts_table("Plan", ACTIONS, plan.counts()), *notes)
