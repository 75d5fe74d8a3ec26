"""The writes of one planned step: create or update the item, then the parts Looker writes
through calls of their own (a user's email and roles, a group's members, a look's query...).

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
from typing import Any, TypeVar

from lookervault.looker.client import LookerRequestError, api_path
from lookervault.looker.content_types import BY_NAME
from lookervault.restore import canonical, lookup
from lookervault.restore.denials import DENIABLE, refused
from lookervault.restore.plan import QUIET_REASON, Plan, held_by, is_looked_up, translator
from lookervault.restore.source import Key
from lookervault.restore.target import Find, Writer, again

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
    have = canonical.current(key[0], ctx.target_item(key[0], target_id), held_by(ctx.plan.target))
    return canonical.changes(key[0], want, have)


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


def write_plain(ctx: Context, key: Key, want: Json, target_id: str | None) -> str:
    """Types whose whole state is one create or update call."""
    if target_id is None:
        return create(ctx, key, top_body(want, key[0]))
    update(ctx, key, target_id, top_body(want, key[0], changed_fields(ctx, key, want, target_id)))
    return target_id


def write_folder(ctx: Context, key: Key, want: Json, target_id: str | None) -> str:
    """A folder's name and place; a system folder is Looker's own (only its access, the
    step's second call, is restored)."""
    if target_id is not None and is_looked_up(ctx.plan.source, key):
        return target_id
    return write_plain(ctx, key, want, target_id)


def write_user(ctx: Context, key: Key, want: Json, target_id: str | None) -> str:
    """A user, then its email credential (no reset mail is ever sent) and its roles."""
    changed = ["email", "role_ids"] if target_id is None else []
    if target_id is None:
        body = top_body(want, "users")
        email = want.get("email") or _email(ctx.source_item(key))
        if email:  # in the create itself: no window for a user without its email
            body["credentials_email"] = {"email": email}
        target_id = create(ctx, key, body)
        if ctx.target_item("users", target_id).get("email") == want.get("email"):
            changed.remove("email")
    else:
        changed = changed_fields(ctx, key, want, target_id)
        update(ctx, key, target_id, top_body(want, "users", changed))
    user = ctx.target_item("users", target_id)
    if "email" in changed and want.get("email"):
        _write_email(ctx, key, target_id, str(want["email"]), bool(user.get("credentials_email")))
    if "role_ids" in changed and want.get("role_ids") is not None:
        ctx.send("PUT", "/users/{id}/roles", key, want["role_ids"], id=target_id)
    personal = ctx.source_item(key).get("personal_folder_id")
    if personal is not None and user.get("personal_folder_id") is not None:
        ctx.plan.resolver.record(("folders", str(personal)), str(user["personal_folder_id"]))
    return target_id


def _email(user: Json) -> str | None:
    return user.get("email") or (user.get("credentials_email") or {}).get("email")


def _write_email(ctx: Context, key: Key, user_id: str, email: str, has_one: bool) -> None:
    """The user's email login; where Looker refuses email logins, a note instead."""
    if "email_logins" in ctx.plan.resolver.denied:
        return
    path = "/users/{id}/credentials_email"
    client = ctx.plan.target.client
    try:
        if has_one:
            ctx.send("PATCH", path, key, {"email": email}, id=user_id)
        else:
            find = lookup.email_login(client, user_id, email)
            ctx.send("POST", path, key, {"email": email}, find=find, id=user_id)
    except LookerRequestError as exc:
        if not ctx.refused(exc, "email_logins", key):
            raise


def write_group_members(ctx: Context, key: Key, want: Json, target_id: str) -> None:
    """The members a group lacks, once the users exist (members added since the backup stay)."""
    have = set(ctx.target_item("groups", target_id).get("member_user_ids") or [])
    client = ctx.plan.target.client
    ctx.each(
        functools.partial(
            ctx.send,
            "POST",
            "/groups/{id}/users",
            key,
            {"user_id": user_id},
            find=lookup.member(client, target_id, user_id),
            id=target_id,
        )
        for user_id in want.get("member_user_ids") or []
        if user_id not in have
    )


def write_role(ctx: Context, key: Key, want: Json, target_id: str | None) -> str:
    """A role, then its groups (one call replaces them all; Looker (Google Cloud core) may
    refuse it: the role is kept, with a note)."""
    created = target_id is None
    changed = [] if created else changed_fields(ctx, key, want, target_id or "")
    target_id = write_plain(ctx, key, want, target_id)
    groups = want.get("group_ids")
    if groups is not None and ((created and groups) or "group_ids" in changed):
        try:
            ctx.send("PUT", "/roles/{id}/groups", key, groups, id=target_id)
        except LookerRequestError as exc:
            if not ctx.refused(exc, "role_groups", key):
                raise
    return target_id


def write_user_attribute(ctx: Context, key: Key, want: Json, target_id: str | None) -> str:
    """An attribute, then its group values (one call replaces them all, in priority order)."""
    created = target_id is None
    changed = [] if created else changed_fields(ctx, key, want, target_id or "")
    target_id = write_plain(ctx, key, want, target_id)
    values = want.get("group_values") or []
    if (created and values) or "group_values" in changed:
        if any(v["group_id"] is None for v in values):
            raise ItemError("a group value names a group that is neither backed up nor in Looker")
        path = "/user_attributes/{id}/group_values"
        ctx.send("POST", path, key, values, find=again, id=target_id)
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


def write_look(ctx: Context, key: Key, want: Json, target_id: str | None) -> str:
    """The query first (queries never change: a changed one is a new query), then the look."""
    trash = bool(want.get("deleted"))
    if target_id is None:
        body = top_body(want, "looks")
        body["query_id"] = create_query(ctx, key, want.get("query"))
        body.pop("deleted", None)
        target_id = create(ctx, key, body)
        if trash:
            update(ctx, key, target_id, {"deleted": True})
        return target_id
    changed = changed_fields(ctx, key, want, target_id)
    body = top_body(want, "looks", changed)
    if "query" in changed:
        body["query_id"] = create_query(ctx, key, want.get("query"))
    update(ctx, key, target_id, body)
    return target_id


ALERT_CHECKED = ("owner_id", "is_disabled")
PLAN_CHECKED = ("user_id", "enabled")


def write_alert(ctx: Context, key: Key, want: Json, target_id: str | None) -> str:
    """Alerts are replaced whole (PUT), so an update sends every field. The spec promises
    neither the owner nor the switch of a create: both are read back from the answer and set
    through `update_alert_field` (PATCH) where Looker ignored them."""
    if want.get("dashboard_element_id") is None and ctx.source_item(key).get(
        "dashboard_element_id"
    ):
        raise ItemError("the tile it watches was not restored")
    if target_id is None:
        target_id = create(ctx, key, top_body(want, "alerts"))
    elif changed_fields(ctx, key, want, target_id):
        whole = canonical.current("alerts", ctx.target_item("alerts", target_id)) | want
        update(ctx, key, target_id, top_body(whole, "alerts"))
    else:
        return target_id
    _settle(ctx, key, target_id, want, ALERT_CHECKED)
    return target_id


def write_scheduled_plan(ctx: Context, key: Key, want: Json, target_id: str | None) -> str:
    """Destinations go with the plan (an update with them replaces them all); never run_once.
    The owner and the switch are read back from Looker's answer and set again if ignored."""
    destinations = want.get("scheduled_plan_destination") or []
    if target_id is None:
        body = top_body(want, "scheduled_plans")
        body.update(run_once=False, scheduled_plan_destination=destinations)
        target_id = create(ctx, key, body)
    else:
        changed = changed_fields(ctx, key, want, target_id)
        body = top_body(want, "scheduled_plans", changed)
        if "scheduled_plan_destination" in changed:
            body["scheduled_plan_destination"] = destinations
        if not body:
            return target_id
        update(ctx, key, target_id, body)
    _settle(ctx, key, target_id, want, PLAN_CHECKED)
    return target_id


def _settle(ctx: Context, key: Key, target_id: str, want: Json, names: tuple[str, ...]) -> None:
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


def write_folder_access(ctx: Context, key: Key, want: Json, target_id: str) -> None:
    """Who may view or edit the folder, as backed up: its inheritance, then its own entries
    (added where missing, changed, and removed where the backup has none). Its parent's
    access is written first (apply.py): Looker derives a subfolder's from it. What Looker
    holds afterwards is read back; any difference fails the step."""
    access = want.get("access")
    if access is None:
        return
    folder = ctx.target_item("folders", target_id)
    metadata_id = folder.get("content_metadata_id")
    if metadata_id is None:
        raise ItemError("Looker gave the folder no content metadata to set its access on")
    metadata_id = str(metadata_id)
    have = canonical.current("folders", folder).get("access") or {"inherits": True}
    wrote = have["inherits"] != access["inherits"]
    if wrote:  # a folder Looker just made inherits
        body = {"inherits": access["inherits"]}
        ctx.send("PATCH", "/content_metadata/{id}", key, body, id=metadata_id)
    if not access["inherits"]:
        entries = ctx.get("/content_metadata_access", {"content_metadata_id": metadata_id})
        calls = _access_calls(ctx, key, metadata_id, entries or [], access["entries"])
        ctx.each(calls)
        wrote = wrote or bool(calls)
    if wrote:
        _check_access(ctx, metadata_id, access)


def _access_calls(
    ctx: Context, key: Key, metadata_id: str, entries: list[Json], wanted: list[Json]
) -> list[Callable[[], Any]]:
    current = {_holder(entry): entry for entry in entries}
    wanted_entries = {_holder(entry): entry for entry in wanted}
    path = "/content_metadata_access/{id}"
    calls: list[Callable[[], Any]] = []
    for holder, entry in current.items():
        if holder not in wanted_entries:
            calls.append(functools.partial(ctx.send, "DELETE", path, key, id=str(entry["id"])))
        elif wanted_entries[holder]["permission_type"] != entry.get("permission_type"):
            body = {**_entry_body(wanted_entries[holder]), "content_metadata_id": metadata_id}
            calls.append(functools.partial(ctx.send, "PUT", path, key, body, id=str(entry["id"])))
    client = ctx.plan.target.client
    for holder, entry in wanted_entries.items():
        if holder not in current:
            body = {**_entry_body(entry), "content_metadata_id": metadata_id}
            find = lookup.access_entry(client, metadata_id, body)
            calls.append(
                functools.partial(
                    ctx.send, "POST", "/content_metadata_access", key, body, find=find
                )
            )
    return calls


def _check_access(ctx: Context, metadata_id: str, access: Json) -> None:
    """Read the folder's access back: Looker may keep what a parent gives, or refuse
    silently; a folder must not end up open to more people than the backup says."""
    meta = ctx.get(api_path("/content_metadata/{id}", metadata_id), {"fields": "id,inherits"})
    entries = None
    if not (meta or {}).get("inherits", True):
        entries = ctx.get("/content_metadata_access", {"content_metadata_id": metadata_id})
    held = canonical.access_form(
        {"content_metadata": meta or {}, "content_metadata_access": entries or []},
        lambda _type, value: value,
    )
    if canonical.canonical_json(held) != canonical.canonical_json(access):
        raise ItemError(
            "Looker holds other access for the folder than was written: "
            f"{canonical.canonical_json(held)} instead of {canonical.canonical_json(access)}; "
            "set it in Looker's Manage Access dialog"
        )


def _holder(entry: Json) -> tuple[str, str]:
    if entry.get("group_id") is not None:
        return "group", str(entry["group_id"])
    return "user", str(entry.get("user_id"))


def _entry_body(entry: Json) -> Json:
    return {k: entry[k] for k in ("permission_type", "group_id", "user_id") if entry.get(k)}


def write_favorite(ctx: Context, key: Key, want: Json, target_id: str | None) -> str:
    """A favourite is made once and never changes. An admin cannot make another user's
    favourite (Looker's own SDK example logs in as each user), so it is made as its user,
    with a token from `login_user`, and Looker's answer must name that user."""
    if target_id is not None:
        return target_id
    user_id = want.get("user_id")
    if user_id is None:
        raise Unrestorable("its user is neither backed up nor in Looker")
    for field_name, type_name in canonical.FAVORED:
        if ctx.source_item(key).get(field_name) is None:
            continue
        content_id = want.get(field_name)
        if content_id is None:
            raise Unrestorable(f"its {type_name[:-1]} is neither backed up nor in Looker")
        metadata_id = _content_metadata_id(ctx, type_name, content_id)
        body = {"user_id": str(user_id), "content_metadata_id": metadata_id}
        token = ctx.token_for(key, str(user_id))
        find = lookup.favorite(ctx.plan.target.client, body)
        answer = ctx.send("POST", "/content_favorite", key, body, find=find, token=token)
        made = ctx.created(key, answer)
        if str(answer.get("user_id")) != str(user_id):
            ctx.send("DELETE", "/content_favorite/{id}", key, token=token, id=made)
            raise ItemError(
                f"Looker made the favourite user {answer.get('user_id')}'s, not user "
                f"{user_id}'s; it was deleted again"
            )
        return made
    raise Unrestorable("a favourite of a LookML dashboard: it lives in its LookML project")


def _content_metadata_id(ctx: Context, type_name: str, item_id: str) -> str:
    known = ctx.target_item(type_name, item_id).get("content_metadata_id")
    if known is None:
        path = api_path(BY_NAME[type_name].item_path, item_id)
        found = ctx.get(path, {"fields": "id,content_metadata_id"})
        known = (found or {}).get("content_metadata_id")
    if known is None:
        raise ItemError(f"{type_name[:-1]} {item_id} has no content metadata in Looker")
    return str(known)
