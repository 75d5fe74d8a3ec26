"""The restore use case: read the backup, read the target, plan, and (unless dry) apply.

`from_snapshot` brings a snapshot through the verified download into a private temporary
directory that is removed afterwards, whatever happens; a snapshot that fails verification
restores nothing.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import google.cloud.storage as storage
from looker_sdk.rtl.api_settings import ApiSettings

from lookervault.config import Settings
from lookervault.errors import RuntimeFailure, UsageError
from lookervault.looker.client import (
    LookerClient,
    LookerRequestError,
    RetryPolicy,
    connect,
    release_version,
)
from lookervault.looker.content_types import (
    BY_NAME,
    FILED,
    TYPE_NAMES,
    id_order,
    ids_at,
    resolve,
    restore_order,
)
from lookervault.looker.hosts import InstanceUrls, looker_host
from lookervault.looker.instance import read_instance_urls
from lookervault.restore.apply import Outcome, apply_plan
from lookervault.restore.denials import DENIABLE, refused
from lookervault.restore.identity import Identity, decide, fingerprint
from lookervault.restore.plan import Plan, Step, build_plan
from lookervault.restore.resolver import LOOKER_HELD, Resolver
from lookervault.restore.source import Key, Source, open_source
from lookervault.restore.state import RestoreState
from lookervault.restore.target import Record, Target, Writer, read_more, read_target
from lookervault.restore.types.dashboards import lookml_route, route_note
from lookervault.restore.writes import Context, NewSlug
from lookervault.snapshot import refs
from lookervault.snapshot.copies import temporary_copy

Json = dict[str, Any]


@dataclass(frozen=True)
class Selection:
    """What to restore: types, single items, a folder subtree, or the last run's failures."""

    types: tuple[str, ...] = ()
    ids: tuple[Key, ...] = ()
    folder: str | None = None
    recursive: bool = False
    retry_failed: bool = False


@dataclass
class Restore:
    """A planned restore, ready to show and to apply."""

    plan: Plan
    client: LookerClient
    state: RestoreState
    workers: int
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    """Reading both sides and planning."""
    release: str | None = None
    """The Looker release `/versions` reported."""

    def route_note(self, lookml_import: bool) -> str | None:
        """Why new dashboards go part by part although the LookML route was asked for."""
        return route_note(self.plan, self.release, lookml_import)

    def close(self) -> None:
        self.state.close()
        self.client.session.close()


@dataclass
class Report:
    """What a restore did."""

    outcomes: list[Outcome]
    write_requests: int
    seconds: float
    """Applying the plan."""
    new_slugs: list[NewSlug] = field(default_factory=list)
    repeated: int = 0
    """Write requests sent again after a passing fault (no answer, a 5xx)."""
    adopted: int = 0
    """Creates whose answer was lost and whose item was found in Looker instead."""

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.result == "failed"]

    @property
    def notes(self) -> list[str]:
        """Each thing left undone without failing, once, with how many items it concerns."""
        found: dict[str, list[Outcome]] = {}
        for outcome in self.outcomes:
            for note in outcome.notes:
                found.setdefault(note, []).append(outcome)
        return [f"{len(items)} item(s): {note}" for note, items in found.items()]

    def counts(self) -> dict[str, dict[str, int]]:
        found: dict[str, dict[str, int]] = {}
        for outcome in self.outcomes:
            per_type = found.setdefault(outcome.step.key[0], {})
            per_type[outcome.result] = per_type.get(outcome.result, 0) + 1
        return found


@contextlib.contextmanager
def snapshot_database(client: storage.Client, settings: Settings, ref: str) -> Iterator[Path]:
    """Download a snapshot, verified, into a private temporary directory; remove it after."""
    resolved = refs.resolve(client, settings, ref)
    with temporary_copy(client, resolved, settings.work_dir) as database:
        yield database


def selected_keys(source: Source, selection: Selection, failed: dict[Key, str]) -> list[Key]:
    """The backed-up items a selection names (its dependencies join later, in the plan)."""
    if selection.retry_failed:
        if not failed:
            raise UsageError(
                "No failed items are recorded for this backup and this Looker instance.",
                "Run the restore without --retry-failed.",
            )
        return list(failed)
    keys: list[Key] = []
    types = selection.types
    if not (types or selection.ids or selection.folder):
        types = TYPE_NAMES
    for type_name in restore_order(types) if types else []:
        keys += source.keys(type_name)
    for key in selection.ids:
        if source.get(key) is None:
            raise UsageError(
                f"{key[0]} {key[1]} is not in the backup.",
                "Check the id in the backup (`lookervault extract` names types as in Looker).",
            )
        keys.append(key)
    if selection.folder is not None:
        keys += _folder_content(source, selection.folder, selection.recursive)
    return list(dict.fromkeys(keys))


def _folder_content(source: Source, folder: str, recursive: bool) -> list[Key]:
    """A folder (subtree), what is filed in it (looks, dashboards), and what follows that
    content (its schedules and alerts)."""
    folders = source.folder_subtree(folder, recursive)
    keys = [("folders", f) for f in sorted(folders)]
    for ct in resolve(FILED):
        keys += [
            (ct.name, item_id)
            for item_id, item in source.items.get(ct.name, {}).items()
            if str(item.get(ct.folder_field or "")) in folders
        ]
    chosen = set(keys)
    for ct in (ct for ct in BY_NAME.values() if ct.follows_content):
        for item_id, item in source.items.get(ct.name, {}).items():
            vital = (ref for ref in ct.references if ref.vital)
            named = (source.holder((r.type, v)) for r in vital for v in ids_at(item, r.path))
            if any(key in chosen for key in named):
                keys.append((ct.name, item_id))
    return keys


def prepare(
    database: Path,
    sdk: ApiSettings,
    selection: Selection,
    settings: Settings,
    *,
    workers: int = 8,
    retry: RetryPolicy | None = None,
    rate_limit_per_s: float | None = None,
    enable_schedules: bool = False,
    same_instance: bool | None = None,
    fallback_owner: str | None = None,
) -> Restore:
    """Read both sides, decide whether they are one instance (`same_instance` overrides the
    decision), and make the plan; nothing is written to Looker. `fallback_owner`: the email
    of the target user who gets content whose owner is nowhere (default: the API user)."""
    started = time.monotonic()
    source = open_source(database)
    # Each worker's item may have `workers` more calls of its own in flight (Context.each).
    client = connect(sdk, pool_size=2 * workers, retry=retry, rate_limit_per_s=rate_limit_per_s)
    state: RestoreState | None = None
    try:
        urls = _instance(client)
        chosen = None if selection.retry_failed else selected_keys(source, selection, {})
        first = _types_to_read(chosen or []) if chosen is not None else {"folders", "users"}
        target = _read(client, source, first, workers)
        prints = fingerprint(source.items, target.listed)
        configured = (_configured(source.instance), _configured(urls))
        identity = decide(
            prints,
            source.instance.key,
            urls.key,
            source.host,
            client.host,
            same_instance,
            configured,
        )
        owner = _fallback_owner(client, target, fallback_owner)
        state = RestoreState(settings.state_dir, *_scope(source, urls, client.host, identity))
        keys = chosen if chosen is not None else selected_keys(source, selection, state.failed())
        _read(client, source, _types_to_read(keys), workers, target)
        resolver = Resolver(source, target, state, workers, identity, _caller(client), owner)
        if _google_cloud_core(client):
            resolver.denied |= set(DENIABLE)
        plan = build_plan(resolver, keys, enable_schedules=enable_schedules, workers=workers)
    except BaseException:
        if state is not None:
            state.close()
        client.session.close()
        raise
    seconds = time.monotonic() - started
    return Restore(plan, client, state, workers, _notes(plan), seconds, _release(client))


def _release(client: LookerClient) -> str | None:
    found = (client.versions or {}).get("looker_release_version")
    return str(found) if found else None


def _configured(urls: InstanceUrls) -> str | None:
    return looker_host(urls.host_url) if urls.host_url else None


def _fallback_owner(client: LookerClient, target: Target, email: str | None) -> str | None:
    """The target user with `email`, checked before anything is written."""
    if email is None:
        return None
    for user_id, user in target.ids("users").items():
        if (user.get("email") or (user.get("credentials_email") or {}).get("email")) == email:
            return user_id
    raise UsageError(
        f"No user of the target Looker at {client.host} has the email {email}.",
        "Pass --fallback-owner with the email of a user there, or leave it out to give such "
        "content to the API user.",
    )


def _caller(client: LookerClient) -> Callable[[], str]:
    def ask() -> str:
        me = client.get_json("/user", {"fields": "id"})
        return str((me or {}).get("id"))

    return ask


def _google_cloud_core(client: LookerClient) -> bool:
    """Whether the target refuses what Looker (Google Cloud core) may deny, asked with the one
    such call that reads and changes nothing (`search_credentials_email`), so that the plan
    leaves those parts out before anything is written."""
    try:
        client.get_json("/credentials_email/search", {"limit": "1", "fields": "email"})
    except LookerRequestError as exc:
        return refused(exc)  # any other failure says nothing of the edition
    return False


def _types_to_read(keys: list[Key]) -> set[str]:
    types = {key[0] for key in keys} | {"folders", "users"}
    return _referenced_types(types)


def _scope(
    source: Source, urls: InstanceUrls, target_host: str, identity: Identity
) -> tuple[str, str]:
    """The names the restore state keeps this pair under: one name for one instance, however
    it was reached, and never an old instance's name for a new one at the same URL."""
    source_name = source.instance.key or source.host
    if identity.same:
        return source_name, source_name
    target_name = urls.key or target_host
    if target_name == source_name:
        target_name += " (another instance)"
    return source_name, target_name


def _referenced_types(types: set[str]) -> set[str]:
    """Every type an item of `types` can name, directly or through what it names."""
    found = set(types)
    while True:
        more = {dep for name in found for dep in BY_NAME[name].refers_to} - found
        if not more:
            return found
        found |= more


def _instance(client: LookerClient) -> InstanceUrls:
    release_version(client)  # bad credentials or an unreachable Looker fail here, clearly
    return read_instance_urls(client)


def _read(
    client: LookerClient, source: Source, types: set[str], workers: int, into: Target | None = None
) -> Target:
    """The target's listings, `2 * workers` pages at a time (the connection pool's size)."""
    sizes = {name: len(source.items.get(name, {})) for name in sorted(types)}
    try:
        if into is None:
            return read_target(client, sizes, 2 * workers)
        read_more(into, sizes, 2 * workers)
        return into
    except LookerRequestError as exc:
        raise RuntimeFailure(
            f"Cannot read the target Looker at {client.host}: {exc}",
            "Check the network and retry; nothing was written.",
        ) from exc


def _notes(plan: Plan) -> list[str]:
    notes = plan.type_notes()
    adjusted = [s for s in plan.steps.values() if s.adjustments]
    dangling = [s for s in plan.steps.values() if s.action == "skip" and _held_dangling(s)]
    if adjusted or dangling:
        notes.append(
            f"{len(adjusted)} item(s) will be written with an adjustment and {len(dangling)} "
            "left out, because they name something that is in neither the backup nor Looker "
            "(Looker itself held the reference dangling: a deleted look, a user who left, a "
            "deleted dashboard). Each is listed above."
        )
    denied = sorted(plan.resolver.denied & {"role_groups", "email_logins", "login_user"})
    notes += [f"This Looker refuses it: {DENIABLE[name].note}" for name in denied]
    quiet = [s for s in plan.steps.values() if BY_NAME[s.key[0]].quiet and s.action == "create"]
    if quiet and not plan.resolver.same_instance and not plan.enable_schedules:
        notes.append(
            f"{len(quiet)} schedule(s) and alert(s) will be created disabled, because this is "
            "another Looker instance; pass --enable-schedules to keep them as they were."
        )
    return notes


def _held_dangling(step: Step) -> bool:
    return LOOKER_HELD in (step.reason or "")


def execute(
    restore: Restore,
    record: Record,
    actor: str,
    progress: Callable[[Outcome], None] | None,
    lookml_import: bool = True,
) -> Report:
    """Apply the plan. New dashboards come from their LookML (`lookml_import`) only where the
    Looker release has the import route (22.8 on)."""
    started = time.monotonic()
    writer = Writer(restore.client, record, actor)
    route = lookml_import and lookml_route(restore.release)
    with ThreadPoolExecutor(restore.workers, thread_name_prefix="lookervault-parts") as pool:
        ctx = Context(restore.plan, writer, pool, route)
        try:
            outcomes = apply_plan(ctx, restore.state, restore.workers, progress)
        finally:
            ctx.log_out()
    slugs = sorted(ctx.new_slugs, key=lambda s: id_order(s.key[1]))
    seconds = time.monotonic() - started
    return Report(outcomes, writer.count, seconds, slugs, writer.repeated, writer.adopted)
