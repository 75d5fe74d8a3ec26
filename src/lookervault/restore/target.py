"""The Looker side of a restore: what the target holds now, and every write made to it.

Reading lists each needed type once (a light `fields` projection for types fetched whole by
id), then fetches in full only the items a backed-up item matched. Writing goes through one
`Writer`, which audits every request, counts them, and refuses to write in a dry run.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Hashable, Iterable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from lookervault.audit import Action, AuditEvent, Outcome
from lookervault.looker.client import LookerClient, LookerRequestError, transient
from lookervault.looker.content_types import BY_NAME, DEFAULT_PAGE_SIZE, ContentType
from lookervault.looker.extract import complete_item, list_page

Json = dict[str, Any]
Key = tuple[str, str]
Record = Callable[[AuditEvent], None]


def _light_fields(ct: ContentType) -> str | None:
    """Enough of each listed item to match it; None lists whole objects (no detail call)."""
    if not ct.detail_path:
        return None
    names = [ct.id_field, *ct.key_fields, "created_at", *ct.listed_fields]
    if ct.soft_delete:
        names.append("deleted")
    return ",".join(dict.fromkeys(names))


@dataclass
class Target:
    """A Looker instance as restore sees it: listed items per type, full items once fetched."""

    client: LookerClient
    host: str
    listed: dict[str, dict[str, Json]] = field(default_factory=dict)
    full: dict[Key, Json] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def ids(self, type_name: str) -> dict[str, Json]:
        return self.listed.get(type_name, {})

    def has(self, key: Key) -> bool:
        return key[1] in self.listed.get(key[0], {})

    def item(self, key: Key) -> Json | None:
        """The full item if fetched, else what the listing gave."""
        with self._lock:
            found = self.full.get(key)
        return found if found is not None else self.listed.get(key[0], {}).get(key[1])

    def system_item(self, type_name: str, flag: str) -> str | None:
        """The item every instance has under a flag (the Shared folder)."""
        return next((i for i, f in self.ids(type_name).items() if f.get(flag)), None)

    def remember(self, key: Key, item: Json) -> None:
        """An item the restore just wrote, as Looker answered."""
        with self._lock:
            self.full[key] = item
            self.listed.setdefault(key[0], {})[key[1]] = item


def read_target(client: LookerClient, types: Mapping[str, int], at_once: int) -> Target:
    """List every needed type of the target (both streams of soft-deletable ones)."""
    target = Target(client=client, host=client.host)
    read_more(target, types, at_once)
    return target


def read_more(target: Target, types: Mapping[str, int], at_once: int) -> None:
    """List types the target was not read for yet. `types` maps each to how many items the
    backup holds of it: the target most likely has about as many."""
    client = target.client
    jobs = []
    for name, expected in types.items():
        if name in target.listed:
            continue
        ct = BY_NAME[name]
        light = _light_fields(ct)
        for stream in ct.streams:
            params = dict(stream)
            if light:
                params["fields"] = light
            trash = params.get("deleted") == "true"  # the backup's count is of all its items
            jobs.append(Listing(ct, params, 0 if trash else expected))
    for job, found in zip(jobs, list_all(client, jobs, at_once), strict=True):
        table = target.listed.setdefault(job.type.name, {})
        for item in found:
            table[str(item[job.type.id_field])] = item


@dataclass(frozen=True)
class Listing:
    type: ContentType
    params: dict[str, str]
    expected: int
    """Items it likely holds: its pages up to there are asked for at once."""


def list_all(client: LookerClient, listings: list[Listing], at_once: int) -> list[list[Json]]:
    """Every item of each listing, `at_once` pages fetched side by side. A listing's length
    shows only at its first short page, so once its first page comes back full, every page up
    to its expected length is asked for at once; past that, each full page keeps as many
    pages in flight as have come back, up to `at_once` (a few requests too many at the end,
    instead of one round trip per page)."""
    pages: list[dict[int, list[Json]]] = [{} for _ in listings]
    ends: list[int | None] = [None] * len(listings)
    ahead = [0] * len(listings)
    with ThreadPoolExecutor(max(1, at_once), thread_name_prefix="lookervault-read") as pool:
        running: dict[Future[list[Json]], tuple[int, int]] = {}

        def ask(index: int) -> None:
            listing = listings[index]
            offset = ahead[index]
            ahead[index] += DEFAULT_PAGE_SIZE
            future = pool.submit(list_page, client, listing.type, listing.params, offset)
            running[future] = (index, offset)

        for index in range(len(listings)):
            ask(index)
        while running:
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                index, offset = running.pop(future)
                found = future.result()
                pages[index][offset] = found
                if not listings[index].type.paged or len(found) < DEFAULT_PAGE_SIZE:
                    end = ends[index]
                    ends[index] = offset if end is None else min(end, offset)
                    continue
                expected = listings[index].expected
                waiting = sum(1 for i, _ in running.values() if i == index)
                past = offset + DEFAULT_PAGE_SIZE > expected  # this page ends past the expected
                more = min(at_once, len(pages[index])) if past else 0
                while ends[index] is None and (ahead[index] <= expected or waiting < more):
                    ask(index)
                    waiting += 1
    return [
        [item for offset in sorted(found) if offset <= (end or 0) for item in found[offset]]
        for found, end in zip(pages, ends, strict=True)
    ]


def fetch_full(target: Target, keys: Iterable[Key], workers: int) -> None:
    """Fetch matched items whole (detail call and sub-resources), in parallel."""
    wanted = [
        key
        for key in keys
        if key not in target.full
        and target.has(key)
        and (BY_NAME[key[0]].detail_path or BY_NAME[key[0]].sub_resources)
    ]

    def fetch(key: Key) -> tuple[Key, Json | None]:
        ct = BY_NAME[key[0]]
        return key, complete_item(target.client, ct, target.listed[key[0]][key[1]], backup=False)

    with ThreadPoolExecutor(max(1, workers), thread_name_prefix="lookervault-read") as pool:
        for key, item in pool.map(fetch, wanted):
            if item is None:  # gone since it was listed
                target.listed[key[0]].pop(key[1], None)
            else:
                target.full[key] = item
    for key in keys:
        if key not in target.full and target.has(key):
            target.full[key] = target.listed[key[0]][key[1]]


_ACTIONS: dict[str, Action] = {
    "POST": "restore.created",
    "PATCH": "restore.updated",
    "PUT": "restore.updated",
    "DELETE": "restore.deleted",
}


Find = Callable[[], Any]
"""What a create whose answer was lost would have made: the item as Looker answers it, or
None when Looker has nothing of it (so sending it again makes one, not two)."""


@dataclass(frozen=True)
class Lookup:
    """A `Find` with what two creates share when one could be found for the other: the
    writer sends creates of one signature one at a time (restore/lookup.py)."""

    find: Find
    signature: Hashable

    def __call__(self) -> Any:
        return self.find()


def again() -> None:
    """The `find` of a create Looker deduplicates or replaces whole (a query, an attribute's
    group values, a token): sending it again cannot make a second one."""
    return None


class Writer:
    """Every write request of a restore: audited one by one, counted, never in a dry run.

    A write that gets no clear answer (a dropped connection, a 5xx) may have happened. PATCH,
    PUT and DELETE are repeated by the client's retries; a POST is repeated here only after
    its `find` looked the target up and found nothing, so nothing is made twice.
    """

    def __init__(
        self,
        client: LookerClient,
        record: Record,
        actor: str,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.client = client
        self.count = 0
        self.repeated = 0
        self.adopted = 0
        self._record = record
        self._actor = actor
        self._sleep = sleep
        self._rng = random.Random()
        self._lock = threading.Lock()
        self._serial: dict[Hashable, threading.Lock] = {}

    def send(
        self,
        method: str,
        template: str,
        key: Key,
        body: Any = None,
        *,
        find: Find | None = None,
        token: str | None = None,
        **ids: str,
    ) -> Any:
        """`template` is an API path whose `{name}` placeholders are filled from `ids`;
        `token`: sent as the user it was issued for (`login_user`)."""
        path = template
        for name, value in ids.items():
            path = path.replace(f"{{{name}}}", quote(value, safe=""))
        if isinstance(find, Lookup):
            with self._one_at_a_time(find.signature):
                return self._send(method, path, key, body, find, token)
        return self._send(method, path, key, body, find, token)

    def _one_at_a_time(self, signature: Hashable) -> threading.Lock:
        with self._lock:
            return self._serial.setdefault(signature, threading.Lock())

    def _send(
        self, method: str, path: str, key: Key, body: Any, find: Find | None, token: str | None
    ) -> Any:
        policy = self.client.session.policy
        for attempt in range(1, policy.max_attempts + 1):
            self._add(count=1, repeated=int(attempt > 1))
            try:
                if token is None:
                    answer = self.client.send_json(method, path, body)
                else:
                    answer = self.client.send_as(token, method, path, body)
            except LookerRequestError as exc:
                self._audit(method, path, key, "failure")
                if method != "POST" or find is None or not transient(exc):
                    raise
                found = find()
                if found is not None:
                    self._add(adopted=1)
                    return found
                if attempt == policy.max_attempts:
                    raise
                self._sleep(policy.delay(attempt, None, self._rng))
                continue
            self._audit(method, path, key, "success")
            return answer
        raise AssertionError("unreachable: the loop returns or raises")

    def _add(self, count: int = 0, repeated: int = 0, adopted: int = 0) -> None:
        with self._lock:
            self.count += count
            self.repeated += repeated
            self.adopted += adopted

    def _audit(self, method: str, path: str, key: Key, outcome: Outcome) -> None:
        self._record(
            AuditEvent(
                action=_ACTIONS[method],
                outcome=outcome,
                object=f"looker://{self.client.host}{path}",
                actor=self._actor,
                details={"type": key[0], "source_id": key[1], "method": method},
            )
        )
