"""What a create whose answer was lost made, looked up before it is sent again.

A POST that got a 5xx or no answer at all may have been carried out. Each create has a way to
find its item that does not depend on the answer: a top-level item by its natural key among
the items the target did not hold before; a part (tile, filter, section, board item, access
entry, member) among its holder's parts that no backed-up part has claimed. Whatever is found
is adopted as if the create had answered it; nothing found means sending again makes one.

The search calls filter on what the spec lets them filter on; Looker's filters may match
loosely (case, wildcards), so every candidate is compared exactly here as well. Two creates of
this run that a lookup could mistake for each other (two boards of one title, two equal tiles)
carry the same signature, and the writer sends them one after the other: a lookup never
adopts the item another create of the same run is still waiting for.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from lookervault.looker.client import LookerClient, api_path
from lookervault.looker.content_types import BY_NAME, DEFAULT_PAGE_SIZE, ContentType
from lookervault.looker.extract import complete_item, list_page
from lookervault.restore.target import Find, Lookup, Target

Json = dict[str, Any]


def _same(item: Mapping[str, Any], body: Mapping[str, Any], names: Iterable[str]) -> bool:
    value = ContentType.value
    return all(_text(value(item, name)) == _text(value(body, name)) for name in names)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _email(item: Mapping[str, Any]) -> str | None:
    return item.get("email") or (item.get("credentials_email") or {}).get("email")


def created(target: Target, type_name: str, body: Json) -> Lookup:
    """A top-level item the target did not hold when it was read, nor this run made, with the
    body's key (the natural key, or the row's `found_by`: an alert by its tile, condition and
    schedule, whoever Looker made its owner); by `second_key` where Looker keeps no value
    of it (a user made without an email login: by name)."""
    ct = BY_NAME[type_name]
    names = ct.found_by or ct.natural_key

    def matches(item: Json) -> bool:
        if ct.second_key and all(ct.value(item, name) is None for name in names):
            return _same(item, body, ct.second_key)
        return _same(item, body, names)

    shared = (type_name, *(_text(ct.value(body, name)) for name in ct.second_key or names))

    def find() -> Json | None:
        client = target.client
        params = {name: str(body[name]) for name in ct.searched_by if body.get(name) is not None}
        before = set(target.ids(type_name))
        for stream in ct.streams:
            for item in _listed(client, type_name, {**stream, **params}):
                item_id = str(item[ct.id_field])
                if item_id not in before and matches(item):
                    return complete_item(client, ct, item, backup=False) or item
        return None

    return Lookup(find, shared)


def _listed(client: LookerClient, type_name: str, params: Mapping[str, str]) -> Iterable[Json]:
    ct = BY_NAME[type_name]
    offset = 0
    while True:
        page = list_page(client, ct, params, offset)
        yield from page
        if not ct.paged or len(page) < DEFAULT_PAGE_SIZE:
            return
        offset += DEFAULT_PAGE_SIZE


@dataclass
class Claims:
    """Parts of one holder already accounted for (there before, paired, or made by this
    run): a lost create's part is one of the others. Shared by the parts written side by
    side, so two equal lost creates adopt two parts, not one twice."""

    taken: set[str] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, part_id: str) -> None:
        with self._lock:
            self.taken.add(part_id)

    def claim(self, candidates: Iterable[Json], matches: Callable[[Json], bool]) -> Json | None:
        with self._lock:
            for part in candidates:
                part_id = str(part.get("id"))
                if part_id not in self.taken and matches(part):
                    self.taken.add(part_id)
                    return part
        return None


def part(
    client: LookerClient,
    path: str,
    claims: Claims,
    body: Json,
    names: Iterable[str],
    inside: str | None = None,
) -> Lookup:
    """A part at `path` (a list, or an object holding the list under `inside`) that no one
    claimed and that has the body's values for those of `names` the body holds."""
    chosen = tuple(name for name in names if name in body)

    def find() -> Json | None:
        found = client.get_json(path)
        if inside is not None:
            found = (found or {}).get(inside)
        return claims.claim(found or [], lambda p: _same(p, body, chosen))

    return Lookup(find, (path, *(_text(body.get(name)) for name in chosen)))


def access_entry(client: LookerClient, metadata_id: str, body: Json) -> Find:
    """Content access entries are one per group or user: whoever it is for, it is there."""

    def find() -> Json | None:
        entries = client.get_json("/content_metadata_access", {"content_metadata_id": metadata_id})
        holder = ("group_id", "user_id")
        return next((e for e in entries or [] if _same(e, body, holder)), None)

    return find


def member(client: LookerClient, group_id: str, user_id: str) -> Find:
    """The user's groups say whether the member was added (one call, however big the group)."""

    def find() -> Json | None:
        user = client.get_json(api_path("/users/{id}", user_id), {"fields": "id,group_ids"})
        groups = {str(g) for g in (user or {}).get("group_ids") or []}
        return {"id": user_id} if group_id in groups else None

    return find


def favorite(client: LookerClient, body: Json) -> Find:
    """One favourite per user and content."""

    def find() -> Json | None:
        params = {name: str(body[name]) for name in ("user_id", "content_metadata_id")}
        found = client.get_json("/content_favorite/search", params)
        return next((f for f in found or [] if _same(f, body, params)), None)

    return find


def email_login(client: LookerClient, user_id: str, email: str) -> Find:
    def find() -> Json | None:
        path = api_path("/users/{id}/credentials_email", user_id)
        found = client.get_json(path)
        return found if isinstance(found, dict) and found.get("email") == email else None

    return find
