"""The writes of one planned step: create or update the item, then the parts Looker writes
through calls of their own (a user's email and roles, a group's members, a look's query...).

Every body is built again at write time, when the items this one waits for exist and have
their target ids; what Looker answers is remembered, so later steps translate through it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any, TypeVar

from lookervault.looker.client import api_path
from lookervault.looker.content_types import BY_NAME
from lookervault.restore import canonical
from lookervault.restore.plan import Plan, is_looked_up, translator
from lookervault.restore.source import Key
from lookervault.restore.target import Writer

Json = dict[str, Any]
T = TypeVar("T")


class ItemError(Exception):
    """A step that cannot be written as the backup has it (not a Looker error)."""


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
    the writes found worth telling (dashboards that got a new slug)."""

    plan: Plan
    writer: Writer
    pool: ThreadPoolExecutor | None = None
    """Where the calls of one item that do not need each other run side by side."""
    lookml_import: bool = True
    """New dashboards from their backed-up LookML, one call each (off: part by part)."""
    new_slugs: list[NewSlug] = field(default_factory=list)

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

    def send(self, method: str, path: str, key: Key, body: Any = None, **ids: str) -> Any:
        return self.writer.send(method, path, key, body, **ids)

    def created(self, key: Key, answer: Any) -> str:
        """Record a new item's id at once: a run killed now still finds it next time."""
        ct = BY_NAME[key[0]]
        if not isinstance(answer, dict) or answer.get(ct.id_field) is None:
            raise ItemError(f"Looker answered the create of {key[0]} {key[1]} without an id")
        target_id = str(answer[ct.id_field])
        self.plan.resolver.record(key, target_id)
        self.plan.target.remember((key[0], target_id), answer)
        return target_id


def top_body(want: Json, type_name: str, names: list[str] | None = None) -> Json:
    """The fields one create or update call sends (all, or just `names`)."""
    fields = canonical.top_fields(type_name)
    chosen = want.keys() if names is None else names
    return {name: want[name] for name in chosen if name in fields and name in want}


def changed_fields(ctx: Context, key: Key, want: Json, target_id: str) -> list[str]:
    have = canonical.current(key[0], ctx.target_item(key[0], target_id))
    return canonical.changes(key[0], want, have)


def create(ctx: Context, key: Key, body: Json) -> str:
    ct = BY_NAME[key[0]]
    body = {k: v for k, v in body.items() if v is not None}
    return ctx.created(key, ctx.send("POST", ct.create_path, key, body))


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
    ctx: Context, key: Key, path: str, body: Json, part_type: str, source_id: str
) -> str:
    """POST one part of an item and record it in the id map at once."""
    answer = ctx.send("POST", path, key, body)
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
        if want.get("email"):  # in the create itself: no window for a user without its email
            body["credentials_email"] = {"email": want["email"]}
        target_id = create(ctx, key, body)
        if ctx.target_item("users", target_id).get("email") == want.get("email"):
            changed.remove("email")
    else:
        changed = changed_fields(ctx, key, want, target_id)
        update(ctx, key, target_id, top_body(want, "users", changed))
    user = ctx.target_item("users", target_id)
    if "email" in changed and want.get("email"):
        method = "PATCH" if user.get("credentials_email") else "POST"
        body = {"email": want["email"]}
        ctx.send(method, "/users/{id}/credentials_email", key, body, id=target_id)
    if "role_ids" in changed and want.get("role_ids") is not None:
        ctx.send("PUT", "/users/{id}/roles", key, want["role_ids"], id=target_id)
    personal = ctx.source_item(key).get("personal_folder_id")
    if personal is not None and user.get("personal_folder_id") is not None:
        ctx.plan.resolver.record(("folders", str(personal)), str(user["personal_folder_id"]))
    return target_id


def write_group_members(ctx: Context, key: Key, want: Json, target_id: str) -> None:
    """The members a group lacks, once the users exist (members added since the backup stay)."""
    have = set(ctx.target_item("groups", target_id).get("member_user_ids") or [])
    ctx.each(
        functools.partial(
            ctx.send, "POST", "/groups/{id}/users", key, {"user_id": user_id}, id=target_id
        )
        for user_id in want.get("member_user_ids") or []
        if user_id not in have
    )


def write_role(ctx: Context, key: Key, want: Json, target_id: str | None) -> str:
    """A role, then its groups (one call replaces them all)."""
    created = target_id is None
    changed = [] if created else changed_fields(ctx, key, want, target_id or "")
    target_id = write_plain(ctx, key, want, target_id)
    groups = want.get("group_ids")
    if groups is not None and ((created and groups) or "group_ids" in changed):
        ctx.send("PUT", "/roles/{id}/groups", key, groups, id=target_id)
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
        ctx.send("POST", path, key, values, id=target_id)
    return target_id


def create_query(ctx: Context, key: Key, definition: Json | None) -> str:
    """A new query from its stored definition (Looker returns an identical one if it has it)."""
    if not definition:
        raise ItemError("its query was not backed up")
    answer = ctx.send("POST", "/queries", key, definition)
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


def write_alert(ctx: Context, key: Key, want: Json, target_id: str | None) -> str:
    """Alerts are replaced whole (PUT), so an update sends every field."""
    if want.get("dashboard_element_id") is None and ctx.source_item(key).get(
        "dashboard_element_id"
    ):
        raise ItemError("the tile it watches was not restored")
    if target_id is None:
        return create(ctx, key, top_body(want, "alerts"))
    if changed_fields(ctx, key, want, target_id):
        whole = canonical.current("alerts", ctx.target_item("alerts", target_id)) | want
        update(ctx, key, target_id, top_body(whole, "alerts"))
    return target_id


def write_scheduled_plan(ctx: Context, key: Key, want: Json, target_id: str | None) -> str:
    """Destinations go with the plan (an update with them replaces them all); never run_once."""
    destinations = want.get("scheduled_plan_destination") or []
    if target_id is None:
        body = top_body(want, "scheduled_plans")
        body.update(run_once=False, scheduled_plan_destination=destinations)
        return create(ctx, key, body)
    changed = changed_fields(ctx, key, want, target_id)
    body = top_body(want, "scheduled_plans", changed)
    if "scheduled_plan_destination" in changed:
        body["scheduled_plan_destination"] = destinations
    update(ctx, key, target_id, body)
    return target_id


def write_folder_access(ctx: Context, key: Key, want: Json, target_id: str) -> None:
    """Who may view or edit the folder, as backed up: its inheritance, then its own entries
    (added where missing, changed, and removed where the backup has none)."""
    access = want.get("access")
    if access is None:
        return
    folder = ctx.target_item("folders", target_id)
    metadata_id = folder.get("content_metadata_id")
    if metadata_id is None:
        raise ItemError("Looker gave the folder no content metadata to set its access on")
    have = canonical.current("folders", folder).get("access") or {"inherits": True}
    if have["inherits"] != access["inherits"]:  # a folder Looker just made inherits
        body = {"inherits": access["inherits"]}
        ctx.send("PATCH", "/content_metadata/{id}", key, body, id=str(metadata_id))
    if access["inherits"]:
        return
    entries = ctx.plan.target.client.get_json(
        "/content_metadata_access", {"content_metadata_id": str(metadata_id)}
    )
    current = {_holder(entry): entry for entry in entries or []}
    wanted_entries = {_holder(entry): entry for entry in access["entries"]}
    path = "/content_metadata_access/{id}"
    calls: list[Callable[[], Any]] = []
    for holder, entry in current.items():
        if holder not in wanted_entries:
            calls.append(functools.partial(ctx.send, "DELETE", path, key, id=str(entry["id"])))
        elif wanted_entries[holder]["permission_type"] != entry.get("permission_type"):
            body = {**_entry_body(wanted_entries[holder]), "content_metadata_id": metadata_id}
            calls.append(functools.partial(ctx.send, "PUT", path, key, body, id=str(entry["id"])))
    for holder, entry in wanted_entries.items():
        if holder not in current:
            body = {**_entry_body(entry), "content_metadata_id": str(metadata_id)}
            calls.append(functools.partial(ctx.send, "POST", "/content_metadata_access", key, body))
    ctx.each(calls)


def _holder(entry: Json) -> tuple[str, str]:
    if entry.get("group_id") is not None:
        return "group", str(entry["group_id"])
    return "user", str(entry.get("user_id"))


def _entry_body(entry: Json) -> Json:
    return {k: entry[k] for k in ("permission_type", "group_id", "user_id") if entry.get(k)}


def write_favorite(ctx: Context, key: Key, want: Json, target_id: str | None) -> str:
    """A favourite is made once and never changes: the user's, of the content's metadata."""
    if target_id is not None:
        return target_id
    for field_name, type_name in canonical.FAVORED:
        if ctx.source_item(key).get(field_name) is None:
            continue
        content_id = want.get(field_name)
        if content_id is None:
            raise ItemError(f"its {type_name[:-1]} is neither backed up nor in Looker")
        metadata_id = _content_metadata_id(ctx, type_name, content_id)
        body = {"user_id": want.get("user_id"), "content_metadata_id": metadata_id}
        return create(ctx, key, body)
    raise ItemError("a favourite of a LookML dashboard: it lives in its LookML project")


def _content_metadata_id(ctx: Context, type_name: str, item_id: str) -> str:
    known = ctx.target_item(type_name, item_id).get("content_metadata_id")
    if known is None:
        path = api_path(BY_NAME[type_name].item_path, item_id)
        found = ctx.plan.target.client.get_json(path, {"fields": "id,content_metadata_id"})
        known = (found or {}).get("content_metadata_id")
    if known is None:
        raise ItemError(f"{type_name[:-1]} {item_id} has no content metadata in Looker")
    return str(known)
