"""The extraction engine: Looker content into the SQLite store, in parallel, resumable.

Worker threads only talk to Looker (list pages, item details, sub-resources); the calling thread
alone writes SQLite, one commit per page, and records the page in `run_pages` so `resume=True`
skips it. Pages are `limit`/`offset` slices in a stable sort; a page is written only once all its
items are complete, and a page that fails beyond the retry budget fails the run, naming the type
and offset. Memory stays bounded: at most `workers` requests are in flight and only a few pages
of items are held at once, whatever the number of items.
"""

from __future__ import annotations

import json
import sqlite3
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from looker_sdk.rtl.api_settings import ApiSettings

from lookervault.errors import Interrupted, RuntimeFailure, UsageError
from lookervault.looker import content_types, store
from lookervault.looker.client import (
    LookerClient,
    LookerRequestError,
    RetryPolicy,
    api_path,
    connect,
    load_settings,
    release_version,
)
from lookervault.looker.content_types import (
    DEFAULT_PAGE_SIZE,
    ContentType,
    SubResource,
    holders_at,
    id_order,
)
from lookervault.looker.instance import read_instance_urls
from lookervault.looker.references import find_dangling

RESUME_HINT = "Fix the cause and re-run with --resume to continue from the last committed page."

Progress = Callable[[str, int, bool], None]
"""Called after each commit with (type, items so far, type finished)."""


@dataclass(frozen=True)
class ExtractionResult:
    """What one extraction run did; `counts` are items seen per type in this run.

    `missing`: items per type marked deleted because Looker no longer has them. `errors`: what
    went wrong without failing the run (an item deleted between listing and fetching it).
    """

    run_id: int
    counts: dict[str, int]
    missing: dict[str, int]
    looker_host: str
    looker_version: str
    started_at: datetime
    finished_at: datetime
    errors: list[str]
    resumed: bool
    requests: int
    retries: int


@dataclass
class _Stream:
    """One paged listing of a type (dashboards have two: live and soft-deleted)."""

    ct: ContentType
    index: int
    params: dict[str, str]
    page_size: int
    completed: dict[int, int]
    next_offset: int = 0
    end: int | None = None
    in_flight: int = 0

    def key(self, offset: int) -> tuple[str, int, int]:
        return (self.ct.name, self.index, offset)

    def label(self) -> str:
        extra = ", ".join(f"{k}={v}" for k, v in self.ct.streams[self.index].items())
        return f"{self.ct.name} ({extra})" if extra else self.ct.name

    def next_page(self, window: int) -> int | None:
        """The next offset to list, if one is needed and the look-ahead window allows it.

        Until a full page proves there is more, only one page is listed at a time, so small
        types cost one request, not one per worker. An unlimited listing is one request (made
        again on resume: it is how its pages are found).
        """
        if not self.ct.paged:
            if self.end is not None or self.in_flight:
                return None
            self.in_flight = 1
            return 0
        full_page_seen = any(n >= self.page_size for n in self.completed.values())
        if self.in_flight >= (window if full_page_seen else 1):
            return None
        while self.next_offset in self.completed:
            self.next_offset += self.page_size
        if self.end is not None and self.next_offset > self.end:
            return None
        offset = self.next_offset
        self.next_offset += self.page_size
        self.in_flight += 1
        return offset

    def pages(self, offset: int, items: list[dict[str, Any]]) -> list[tuple[int, list[Any]]]:
        """Pages still to write from a listing: a short page ends a paged listing; a listing
        without paging is cut into pages in id order, so its memory and commits stay small."""
        self.in_flight -= 1
        if self.ct.paged:
            if len(items) < self.page_size:
                self.end = offset if self.end is None else min(self.end, offset)
            past_end = self.end is not None and offset > self.end
            return [] if past_end else [(offset, items)]
        items = sorted(items, key=lambda item: id_order(item[self.ct.id_field]))
        size = self.page_size
        cut = [(start, items[start : start + size]) for start in range(0, len(items), size)]
        self.end = cut[-1][0] if cut else 0
        return [(start, chunk) for start, chunk in cut or [(0, [])] if start not in self.completed]

    def finished(self) -> bool:
        if self.end is None:
            return False
        return all(o in self.completed for o in range(0, self.end + 1, self.page_size))


@dataclass
class _Page:
    stream: _Stream
    offset: int
    items: list[dict[str, Any] | None]
    pending: int


@dataclass
class _Job:
    """Everything one run tracks; lives on the writer thread only."""

    conn: sqlite3.Connection
    run_id: int
    types: list[str]
    resumed: bool
    streams: list[_Stream]
    progress: Progress | None
    started_at: datetime
    held_pages: int = 0
    notices: list[str] = field(default_factory=list)
    missing: dict[str, int] = field(default_factory=dict)
    items_done: dict[str, int] = field(default_factory=dict)


def extract(
    db_path: Path,
    types: Sequence[str] | None = None,
    *,
    workers: int = 4,
    resume: bool = False,
    settings: ApiSettings | None = None,
    progress: Progress | None = None,
    retry: RetryPolicy | None = None,
    rate_limit_per_s: float | None = None,
    page_size: int = DEFAULT_PAGE_SIZE,
    allow_other_host: bool = False,
) -> ExtractionResult:
    """Extract `types` (all when None) from Looker into `db_path`; raise on any gap.

    `settings` default to `LOOKERSDK_*` over looker.ini. With `resume`, the last unfinished run
    continues (its types and page size) and skips its committed pages; without one, a new run
    starts. A failure records the run as failed and raises `RuntimeFailure` naming type and offset.
    A database last filled from another Looker host is refused unless `allow_other_host`.
    """
    if workers < 1 or page_size < 1:
        raise UsageError("--workers and --page-size must be at least 1.")
    try:
        chosen = [ct.name for ct in content_types.resolve(types)]
    except KeyError as exc:
        raise UsageError(
            f"Unknown content type: {exc.args[0]}.",
            "Choose from: " + ", ".join(content_types.TYPE_NAMES) + ".",
        ) from exc
    client = connect(
        settings or load_settings(),
        pool_size=workers,
        retry=retry,
        rate_limit_per_s=rate_limit_per_s,
    )
    conn: sqlite3.Connection | None = None
    try:
        conn = store.connect(db_path)
        looker_version = release_version(client)
        job = _open_run(
            conn, client, chosen, types, resume, page_size, workers, progress, allow_other_host
        )
        store.mark_running(conn, job.run_id, looker_version)
        store.record_instance(conn, job.run_id, read_instance_urls(client))
        errors = _run(job, client, workers)
        if not errors:
            dangling = find_dangling(store.current_items(conn))[0]
            store.record_dangling(conn, job.run_id, (d.key for d in dangling))
        finished_at = datetime.now(UTC)
        counts = store.run_counts(conn, job.run_id)
        store.finish_run(
            conn,
            job.run_id,
            status="failed" if errors else "complete",
            finished_at=finished_at,
            counts=counts,
            errors=errors or job.notices,
        )
        if errors:
            raise RuntimeFailure(errors[0], RESUME_HINT)
        return ExtractionResult(
            run_id=job.run_id,
            counts={name: counts.get(name, 0) for name in job.types},
            missing={name: job.missing.get(name, 0) for name in job.types},
            looker_host=client.host,
            looker_version=looker_version,
            started_at=job.started_at,
            finished_at=finished_at,
            errors=job.notices,
            resumed=job.resumed,
            requests=client.session.stats.requests,
            retries=client.session.stats.retries,
        )
    except KeyboardInterrupt as exc:
        raise Interrupted(
            f"Extraction interrupted; every page committed so far is kept in {db_path}.",
            "Run the same command again with --resume to continue from there.",
        ) from exc
    except sqlite3.Error as exc:  # the disk filled up, or another program holds the file
        raise RuntimeFailure(
            f"Writing {db_path} failed: {exc}.",
            "Fix that (free some space, close other programs using the file), then run the "
            "same command again with --resume to continue from the last committed page.",
        ) from exc
    finally:
        if conn is not None:
            conn.close()
        client.session.close()


def _open_run(
    conn: sqlite3.Connection,
    client: LookerClient,
    chosen: list[str],
    asked: Sequence[str] | None,
    resume: bool,
    page_size: int,
    workers: int,
    progress: Progress | None,
    allow_other_host: bool,
) -> _Job:
    previous = store.unfinished_run(conn) if resume else None
    if previous is None:
        last = store.latest_run(conn)
        if last is not None and last.looker_host != client.host and not allow_other_host:
            raise UsageError(
                f"This database holds content from Looker at {last.looker_host} "
                f"(run {last.id}), not {client.host}.",
                "Extract each Looker instance into its own --db, or pass --allow-other-host "
                "to mix them in this one.",
            )
        started_at = datetime.now(UTC)
        run_id = store.start_run(
            conn,
            types=chosen,
            page_size=page_size,
            workers=workers,
            looker_host=client.host,
            started_at=started_at,
        )
        completed: dict[tuple[str, int, int], int] = {}
    else:
        if asked and sorted(chosen) != sorted(previous.types):
            raise UsageError(
                f"The interrupted run {previous.id} extracted {', '.join(previous.types)}, "
                f"not {', '.join(chosen)}.",
                "Re-run with --resume and no types (or the same ones), or without --resume.",
            )
        if previous.looker_host != client.host:
            raise UsageError(
                f"The interrupted run {previous.id} was against {previous.looker_host}, "
                f"not {client.host}.",
                "Point LOOKERSDK_BASE_URL at the same instance, or run without --resume.",
            )
        run_id, started_at, page_size = previous.id, previous.started_at, previous.page_size
        chosen = previous.types
        completed = store.completed_pages(conn, run_id)
    streams = [
        _stream(ct, index, completed, page_size)
        for ct in content_types.resolve(chosen)
        for index in range(len(ct.streams))
    ]
    job = _Job(
        conn=conn,
        run_id=run_id,
        types=chosen,
        resumed=previous is not None,
        streams=streams,
        progress=progress,
        started_at=started_at,
    )
    for name, count in store.run_counts(conn, run_id).items():
        job.items_done[name] = count
    return job


def _stream(
    ct: ContentType,
    index: int,
    completed: dict[tuple[str, int, int], int],
    page_size: int,
) -> _Stream:
    params = {**ct.list_params, **ct.streams[index]}
    if ct.detail_path:
        params["fields"] = ct.id_field
    if ct.paged:
        params["limit"] = str(page_size)
        if ct.sortable:
            params["sorts"] = ct.id_field
    done = {off: n for (name, idx, off), n in completed.items() if name == ct.name and idx == index}
    stream = _Stream(ct=ct, index=index, params=params, page_size=page_size, completed=done)
    short = [offset for offset, listed in done.items() if listed < page_size]
    if ct.paged and short:
        stream.end = min(short)
    return stream


def _run(job: _Job, client: LookerClient, workers: int) -> list[str]:
    """Fetch on `workers` threads, write on this one; return the errors that stopped the run."""
    work: deque[tuple[_Page, int]] = deque()
    futures: dict[Future[Any], tuple[_Page | _Stream, int]] = {}
    errors: list[str] = []
    for name in dict.fromkeys(s.ct.name for s in job.streams):
        _finish_type_if_done(job, name)
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="lookervault-extract")
    try:
        while True:
            while len(futures) < workers and not errors:
                task = _next_task(job, client, work, workers)
                if task is None:
                    break
                function, args, origin = task
                futures[pool.submit(function, *args)] = origin
            if not futures:
                break
            done, _ = wait(futures, return_when=FIRST_COMPLETED)
            for future in done:
                target, number = futures.pop(future)
                try:
                    result = future.result()
                except Exception as exc:  # any failure stops the run, named in its error
                    errors.append(_describe_failure(target, number, exc))
                    continue
                for page in _settle(job, target, number, result, work):
                    if page.pending == 0:
                        job.held_pages -= _needs_item_work(page.stream.ct)
                        _write(job, page)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return errors


_Task = tuple[Callable[..., Any], tuple[Any, ...], tuple["_Page | _Stream", int]]


def _next_task(
    job: _Job, client: LookerClient, work: deque[tuple[_Page, int]], workers: int
) -> _Task | None:
    """Item work of listed pages first (it frees memory), then the next page to list.

    Pages needing item work are held in memory until complete, so only a few are listed ahead.
    """
    if work:
        page, index = work.popleft()
        return complete_item, (client, page.stream.ct, page.items[index]), (page, index)
    may_hold = job.held_pages < 2 + workers // 4
    for stream in job.streams:
        needs_work = _needs_item_work(stream.ct)
        if needs_work and not may_hold:
            continue
        offset = stream.next_page(window=workers)
        if offset is not None:
            job.held_pages += needs_work
            return _list_page, (client, stream, offset), (stream, offset)
    return None


def _settle(
    job: _Job,
    target: _Page | _Stream,
    number: int,
    result: Any,
    work: deque[tuple[_Page, int]],
) -> list[_Page]:
    """Record a finished task; return the pages it touched (new ones queue their item work)."""
    if isinstance(target, _Page):
        if result is None:
            listed = target.items[number] or {}
            job.notices.append(
                f"{target.stream.ct.name}: item {listed.get(target.stream.ct.id_field)} "
                "disappeared from Looker while being extracted"
            )
        target.items[number] = result
        target.pending -= 1
        return [target]
    stream, needs_work = target, _needs_item_work(target.ct)
    job.held_pages -= needs_work
    pages = []
    for offset, items in stream.pages(number, result):
        page = _Page(stream=stream, offset=offset, items=list(items), pending=0)
        job.held_pages += needs_work
        if needs_work:
            page.pending = len(items)
            work.extend((page, index) for index in range(len(items)))
        pages.append(page)
    return pages


def _needs_item_work(ct: ContentType) -> int:
    return int(bool(ct.detail_path or ct.sub_resources or ct.nested))


def _write(job: _Job, page: _Page) -> None:
    stream = page.stream
    rows = [to_row(stream.ct, item, stream.index) for item in page.items if item is not None]
    store.write_page(job.conn, job.run_id, stream.key(page.offset), rows, listed=len(page.items))
    stream.completed[page.offset] = len(page.items)
    name = stream.ct.name
    job.items_done[name] = job.items_done.get(name, 0) + len(rows)
    if not _finish_type_if_done(job, name) and job.progress:
        job.progress(name, job.items_done[name], False)


def _finish_type_if_done(job: _Job, name: str) -> bool:
    """Once every page of a type is in, mark what Looker no longer has as deleted."""
    if name in job.missing or not all(s.finished() for s in job.streams if s.ct.name == name):
        return name in job.missing
    job.missing[name] = store.mark_missing(job.conn, job.run_id, name, job.started_at)
    if job.progress:
        job.progress(name, job.items_done.get(name, 0), True)
    return True


def _describe_failure(target: _Page | _Stream, number: int, exc: Exception) -> str:
    if not isinstance(exc, LookerRequestError):
        exc = RuntimeError(f"{type(exc).__name__}: {exc}")
    if isinstance(target, _Stream):
        what = "the page at offset" if target.ct.paged else "the listing at offset"
        return f"{target.label()}: {what} {number} failed: {exc}"
    item = target.items[number] or {}
    item_id = item.get(target.stream.ct.id_field)
    return (
        f"{target.stream.label()}: item {item_id} of the page at offset {target.offset} "
        f"failed: {exc}"
    )


def _list_page(client: LookerClient, stream: _Stream, offset: int) -> list[dict[str, Any]]:
    params = dict(stream.params)
    if stream.ct.paged:
        params["offset"] = str(offset)
    return _object_list(client.get_json(stream.ct.list_path, params), stream.ct.list_path)


def list_page(
    client: LookerClient,
    ct: ContentType,
    params: Mapping[str, str] | None = None,
    offset: int = 0,
    page_size: int = DEFAULT_PAGE_SIZE,
) -> list[dict[str, Any]]:
    """One page of a listing of `ct` (`params` adds filters, a stream, `fields`) in the
    registry's stable sort; the whole listing when the type is not paged. For reading a
    target, not for bulk extraction."""
    query = {**ct.list_params, **(params or {})}
    if ct.paged:
        query.update(limit=str(page_size), offset=str(offset))
        if ct.sortable:
            query["sorts"] = ct.id_field
    return _object_list(client.get_json(ct.list_path, query), ct.list_path)


def complete_item(
    client: LookerClient, ct: ContentType, listed: dict[str, Any], backup: bool = True
) -> dict[str, Any] | None:
    """The full object plus its sub-resources, as extraction stores it (without `backup`,
    as restore compares it: no backup-only parts); None if it vanished since it was listed."""
    item_id = str(listed[ct.id_field])
    item = listed
    if ct.detail_path:
        try:
            item = client.get_json(api_path(ct.detail_path, item_id))
        except LookerRequestError as exc:
            if exc.status == 404:
                return None
            raise
        if not isinstance(item, dict):
            raise ValueError(f"{ct.detail_path}: expected an object for id {item_id}")
    for sub in ct.sub_resources:
        owner_id = item.get(sub.id_field)
        if owner_id is None or any(item.get(flag) for flag in sub.unless):
            continue
        if sub.unless_set and (item.get(sub.unless_set[0]) or {}).get(sub.unless_set[1]):
            continue
        if (sub.user_defined_only and not str(owner_id).isdigit()) or (
            sub.backup_only and not backup
        ):
            continue
        try:
            item = {**item, sub.key: _sub_resource(client, sub, str(owner_id))}
        except LookerRequestError as exc:
            if not (sub.optional and exc.status in (403, 404)):
                raise
    for nested in ct.nested:
        for holder, nested_id in list(holders_at(item, nested.at)):
            try:
                holder[nested.key] = client.get_json(api_path(nested.path, nested_id))
            except LookerRequestError as exc:
                if exc.status != 404:  # some releases cannot read a merge query back
                    raise
    return item


def _sub_resource(client: LookerClient, sub: SubResource, owner_id: str) -> Any:
    path = api_path(sub.path, owner_id)
    params = {name: value.replace("{id}", owner_id) for name, value in sub.params.items()}
    if sub.single:
        answer = client.get_json(path, params)
        return answer.get(sub.pick) if sub.pick and isinstance(answer, dict) else answer
    found: list[dict[str, Any]] = []
    while True:
        if sub.paged:
            params.update(limit=str(DEFAULT_PAGE_SIZE), offset=str(len(found)))
        page = _object_list(client.get_json(path, params), path)
        found.extend(page)
        if not sub.paged or len(page) < DEFAULT_PAGE_SIZE:
            break
    found = [e for e in found if all(str(e.get(k)) == v for k, v in sub.keep.items())]
    return [str(entry["id"]) for entry in found] if sub.ids_only else found


def _object_list(value: Any, path: str) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise ValueError(f"{path}: expected a JSON array of objects")
    return value


def to_row(ct: ContentType, item: dict[str, Any], stream: int = 0) -> store.Row:
    """The store row for one Looker object: query columns plus canonical JSON."""
    soft_deleted = ct.streams[stream].get("deleted") == "true"
    return store.Row(
        type=ct.name,
        id=str(item[ct.id_field]),
        title=ct.title_of(item),
        folder_id=_text(item.get(ct.folder_field)) if ct.folder_field else None,
        owner_id=_text(item.get(ct.owner_field)) if ct.owner_field else None,
        updated_at=_text(item.get(ct.updated_field)) if ct.updated_field else None,
        deleted=bool(item.get("deleted")) or soft_deleted if ct.soft_delete else False,
        data=json.dumps(item, sort_keys=True, separators=(",", ":"), ensure_ascii=False),
    )


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
