"""What every write of a planned step uses: the context, a create or update call, the parts
of a holder, settling what Looker ignored. A type's own writes (a user's email and roles, a
group's members, a look's query...) are its handler's (restore/types/).

Every body is built again at write time, when the items this one waits for exist and have
their target ids; what Looker answers is remembered, so later steps translate through it.

Looker's answer is checked, not trusted: where the spec does not promise that a field of a
create is honoured (an alert's owner and switch, a favourite's user, a schedule's switch),
the answer is compared with what was wanted and the field is set through the documented
route, or the item is removed and failed, so nothing is left live or owned by the wrong user.
A call Looker (Google Cloud core) may deny ends that part with a note (restore/denials.py).
"""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote

from lookervault.looker.client import LookerRequestError
from lookervault.looker.content_types import BY_NAME, QUIET_REASON
from lookervault.restore import canonical, lookup
from lookervault.restore.denials import DENIABLE, refused
from lookervault.restore.resolver import held_by, translator
from lookervault.restore.source import Key
from lookervault.restore.target import Find, Writer, again

if TYPE_CHECKING:
    from lookervault.restore.plan import Plan

Json = dict[str, Any]
T = TypeVar("T")


class ItemError(Exception):
    """A step that cannot be written as the backup has it (not a Looker error)."""


class Unrestorable(ItemError):
    """A step no run can ever write, whatever the user does (the backup lacks what it
    needs): skipped with its reason, never recorded as a failure to retry."""


class Noted(Exception):
    """A step that ended early, without failing, with a note (a part Looker refused)."""


@dataclass(frozen=True)
class NewSlug:
    """A restored dashboard that could not keep its backed-up slug: another dashboard of the
    target holds it, so links with the old slug lead there."""

    key: Key
    title: str
    target_id: str
    backed_up: str
    slug: str | None

    def record(self) -> Json:
        return {
            "type": self.key[0],
            "id": self.key[1],
            "title": self.title,
            "target_id": self.target_id,
            "backed_up_slug": self.backed_up,
            "slug": self.slug,
        }


@dataclass
class Context:
    """What every write needs: the plan, the writer, and translation at write time; and what
    the writes found worth telling (dashboards that got a new slug, parts Looker refused)."""

    plan: Plan
    writer: Writer
    pool: ThreadPoolExecutor | None = None
    """Where the calls of one item that do not need each other run side by side."""
    lookml_import: bool = True
    """New dashboards from their backed-up LookML, one call each (off: part by part)."""
    new_slugs: list[NewSlug] = field(default_factory=list)
    notes: dict[Key, list[str]] = field(default_factory=dict)
    """Per step, what it left undone and why (a part Looker refused)."""
    tokens: dict[str, str] = field(default_factory=dict)
    """user id -> an access token acting as that user (login_user), logged out at the end."""
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _logins: dict[str, threading.Lock] = field(default_factory=dict, repr=False)

    def each(self, calls: Iterable[Callable[[], T]]) -> list[T]:
        """Run independent calls side by side and wait for every one before the first
        failure is raised, so nothing of a failed item is still being written after it.
        The calls must not use `each` themselves: they could wait on each other for a
        thread."""
        chosen = list(calls)
        if self.pool is None or len(chosen) < 2:
            return [call() for call in chosen]
        futures = [self.pool.submit(call) for call in chosen]
        wait(futures)
        return [future.result() for future in futures]

    def translate(self, type_name: str, source_id: str) -> str | None:
        return translator(self.plan.resolver)(type_name, source_id)

    def source_item(self, key: Key) -> Json:
        return self.plan.source.get(key) or {}

    def target_item(self, type_name: str, target_id: str) -> Json:
        return self.plan.target.item((type_name, target_id)) or {}

    def send(
        self,
        method: str,
        path: str,
        key: Key,
        body: Any = None,
        *,
        find: Find | None = None,
        token: str | None = None,
        **ids: str,
    ) -> Any:
        return self.writer.send(method, path, key, body, find=find, token=token, **ids)

    def get(self, path: str, params: dict[str, str] | None = None) -> Any:
        return self.plan.target.client.get_json(path, params)

    def created(self, key: Key, answer: Any) -> str:
        """Record a new item's id at once: a run killed now still finds it next time."""
        ct = BY_NAME[key[0]]
        if not isinstance(answer, dict) or answer.get(ct.id_field) is None:
            raise ItemError(f"Looker answered the create of {key[0]} {key[1]} without an id")
        target_id = str(answer[ct.id_field])
        self.plan.resolver.record(key, target_id)
        self.plan.target.remember((key[0], target_id), answer)
        return target_id

    def refused(self, exc: LookerRequestError, part: str, key: Key) -> bool:
        """True when Looker refused a deniable part: remembered for the target, and noted
        on the step (which then ends without failing)."""
        if not refused(exc):
            return False
        self.plan.resolver.deny(part)
        self.note(key, DENIABLE[part].note)
        return True

    def note(self, key: Key, text: str) -> None:
        with self._lock:
            self.notes.setdefault(key, []).append(text)

    def token_for(self, key: Key, user_id: str) -> str | None:
        """An access token acting as `user_id` (`login_user`), one per user; None for the
        caller itself. Where Looker refuses to act as other users, the step ends, noted."""
        if user_id == self.plan.resolver.caller:
            return None
        if "login_user" in self.plan.resolver.denied:
            raise Noted(DENIABLE["login_user"].note)
        with self._lock:
            login = self._logins.setdefault(user_id, threading.Lock())
        with login:  # one login per user, however many of their favourites run at once
            if user_id not in self.tokens:
                token = self._log_in(key, user_id)
                with self._lock:
                    self.tokens[user_id] = token
            return self.tokens[user_id]

    def _log_in(self, key: Key, user_id: str) -> str:
        try:
            answer = self.send("POST", "/login/{id}", key, find=again, id=user_id)
        except LookerRequestError as exc:
            if refused(exc):
                self.plan.resolver.deny("login_user")
                raise Noted(DENIABLE["login_user"].note) from exc
            raise
        if not isinstance(answer, dict) or not answer.get("access_token"):
            raise ItemError(f"Looker answered login_user for user {user_id} without a token")
        return str(answer["access_token"])

    def log_out(self) -> None:
        """End every token `token_for` made (they would otherwise live their hour), side by
        side."""
        client = self.plan.target.client

        def end(token: str) -> None:
            with contextlib.suppress(LookerRequestError):
                client.send_as(token, "DELETE", "/logout")

        self.each(functools.partial(end, token) for token in self.tokens.values())
        self.tokens.clear()


def top_body(want: Json, type_name: str, names: list[str] | None = None) -> Json:
    """The fields one create or update call sends (all, or just `names`)."""
    fields = canonical.top_fields(type_name)
    chosen = want.keys() if names is None else names
    return {name: want[name] for name in chosen if name in fields and name in want}


def changed_fields(ctx: Context, key: Key, want: Json, target_id: str) -> list[str]:
    kind = ctx.plan.handler(key[0])
    held = held_by(ctx.plan.target)
    have = canonical.current(key[0], ctx.target_item(key[0], target_id), kind.pseudo, held)
    return canonical.changes(want, have, kind.lacking_only)


def create(ctx: Context, key: Key, body: Json) -> str:
    ct = BY_NAME[key[0]]
    body = {k: v for k, v in body.items() if v is not None}
    find = lookup.created(ctx.plan.target, key[0], body)
    return ctx.created(key, ctx.send("POST", ct.create_path, key, body, find=find))


def update(ctx: Context, key: Key, target_id: str, body: Json) -> None:
    if body:
        ct = BY_NAME[key[0]]
        answer = ctx.send(ct.update_method, ct.item_path, key, body, id=target_id)
        if isinstance(answer, dict):
            ctx.plan.target.remember((key[0], target_id), answer)


def pair_parts(
    ctx: Context,
    holder: Key,
    part_type: str,
    sources: list[Json],
    have: set[str],
    same_holder: bool,
) -> dict[str, str]:
    """Which target part (tile, section, item) each of `holder`'s backed-up parts already is:
    by the id map, or the same id when its holder is the very same object of the same
    instance."""
    pairs: dict[str, str] = {}
    for part in sources:
        source_id = str(part["id"])
        free = have - set(pairs.values())
        found = ctx.plan.resolver.resolve((part_type, source_id), holder[1])
        if found not in free and ctx.plan.resolver.same_instance and same_holder:
            found = source_id
        if found in free:
            pairs[source_id] = found
    return pairs


def create_part(
    ctx: Context, key: Key, path: str, body: Json, part_type: str, source_id: str, find: Find
) -> str:
    """POST one part of an item and record it in the id map at once."""
    answer = ctx.send("POST", path, key, body, find=find)
    if not isinstance(answer, dict) or answer.get("id") is None:
        raise ItemError(f"Looker answered the create of a {part_type[:-1]} without an id")
    target_id = str(answer["id"])
    ctx.plan.resolver.record((part_type, source_id), target_id)
    return target_id


def set_values(
    ctx: Context,
    key: Key,
    path: str,
    wanted: dict[str, Json],
    have: dict[str, Json],
    varying: str,
    fixed: dict[str, str],
) -> None:
    """User attribute values one call each, at `path` filled from `fixed` and, per entry, its
    name as `varying`: set where they differ, removed where not wanted. A hidden one (Looker
    shows it as null) is never touched: no backup knows it."""

    def at(name: str) -> str:
        filled = path
        for placeholder, value in {**fixed, varying: name}.items():
            filled = filled.replace(f"{{{placeholder}}}", quote(value, safe=""))
        return filled

    calls = [
        functools.partial(ctx.send, "PATCH", at(name), key, {"value": v["value"]})
        for name, v in wanted.items()
        if not have.get(name, {}).get("value_is_hidden")
        and (name not in have or have[name].get("value") != v["value"])
    ]
    calls += [
        functools.partial(ctx.send, "DELETE", at(name), key)
        for name, v in have.items()
        if name not in wanted and not v.get("value_is_hidden")
    ]
    ctx.each(calls)


def write_plain(ctx: Context, key: Key, want: Json, target_id: str | None) -> str:
    """Types whose whole state is one create or update call."""
    if target_id is None:
        return create(ctx, key, top_body(want, key[0]))
    update(ctx, key, target_id, top_body(want, key[0], changed_fields(ctx, key, want, target_id)))
    return target_id


def create_query(ctx: Context, key: Key, definition: Json | None) -> str:
    """A new query from its stored definition (Looker returns an identical one if it has it,
    so a create whose answer was lost is simply sent again)."""
    if not definition:
        raise Unrestorable("its query was not backed up")
    answer = ctx.send("POST", "/queries", key, definition, find=again)
    if not isinstance(answer, dict) or answer.get("id") is None:
        raise ItemError("Looker answered the query create without an id")
    return str(answer["id"])


def settle(ctx: Context, key: Key, target_id: str, want: Json, names: tuple[str, ...]) -> None:
    """Compare the fields Looker may have ignored with its answer; set the ones it ignored
    with a PATCH (`update_alert_field`, `update_scheduled_plan`) and compare again. A schedule
    or alert that would stay live, or another user's, is deleted and the step failed: better
    missing than mailing people as the wrong user."""
    ct = BY_NAME[key[0]]
    missed = _missed(ctx.target_item(key[0], target_id), want, names)
    if not missed:
        return
    body = {name: want[name] for name in missed}
    if body.get("is_disabled"):
        body["disabled_reason"] = want.get("disabled_reason") or QUIET_REASON
    answer = ctx.send("PATCH", ct.item_path, key, body, id=target_id)
    if isinstance(answer, dict):
        ctx.plan.target.remember((key[0], target_id), answer)
    still = _missed(ctx.target_item(key[0], target_id), want, names)
    if still:
        ctx.send("DELETE", ct.item_path, key, id=target_id)
        what = key[0][:-1].replace("_", " ")
        raise ItemError(
            f"Looker kept its {', '.join(still)} other than written, through the write and a "
            f"PATCH meant to set it; the {what} was deleted again so that it cannot send as the "
            "wrong user or while it should be off"
        )


def _missed(answer: Json, want: Json, names: tuple[str, ...]) -> list[str]:
    return [
        name
        for name in names
        if name in want
        and canonical.canonical_json(_as_text(answer.get(name)))
        != canonical.canonical_json(_as_text(want[name]))
    ]


def _as_text(value: Any) -> Any:
    """Ids compare as text (Looker answers numbers in some places)."""
    return value if value is None or isinstance(value, bool) else str(value)
