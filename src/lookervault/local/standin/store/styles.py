"""Colour collections and themes beyond the generic calls: the standard and custom lists, the
instance's default of each, the ids Looker makes for a custom collection and its palettes, a
theme's name rule and active period.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from lookervault.local.standin import styles
from lookervault.local.standin.shapes import Json
from lookervault.local.standin.store.tables import Tables, projected
from lookervault.local.standin.types import STANDARD_COLLECTIONS
from lookervault.local.standin.wire import ApiError, ErrorDetail, not_found, validation_failed

THEME_NAME = re.compile(r"[A-Za-z0-9_]+")
"""Spec `create_theme`: "The theme `name` can only contain alphanumeric characters or
underscores"."""
COLLECTION_ID_LENGTH = 12


class StylesMixin(Tables):
    """The colour collection and theme calls that are not a plain read or write."""

    # ---- colour collections ------------------------------------------------------------------

    def color_collections(self, *, standard: bool, fields: str | None) -> list[Json]:
        """color_collections_standard (standard=True) or color_collections_custom."""
        with self._lock:
            found = [
                dict(c)
                for c in self._table("color_collections")
                if (c["id"] in STANDARD_COLLECTIONS) == standard
            ]
        return [projected(c, fields) for c in found]

    def default_color_collection(self) -> Json:
        with self._lock:
            return dict(self._objects["color_collections"][self.defaults["color_collection"]])

    def set_default_color_collection(self, collection_id: str | None) -> Json:
        """Any collection, standard or custom; an unknown id is 404 (UNCONFIRMED: the spec
        also lists 422)."""
        if not collection_id:
            raise ApiError(400, "The query parameter collection_id is required.")
        with self._lock:
            chosen = self._objects["color_collections"].get(collection_id)
            if chosen is None:
                raise not_found()
            self.defaults["color_collection"] = collection_id
            return dict(chosen)

    def _on_collection_create(self, made: Json) -> None:
        """A custom collection's id is this instance's own, made at random: two instances
        give two ids to collections of the same label (UNCONFIRMED: the form of the id)."""
        made["id"] = self._free_token(COLLECTION_ID_LENGTH, self._objects["color_collections"])
        styles.with_palette_ids(made)

    def _forget_collection(self, collection_id: str) -> None:
        """Deleting the default collection makes Looker's own the default (UNCONFIRMED)."""
        if self.defaults["color_collection"] == collection_id:
            self.defaults["color_collection"] = STANDARD_COLLECTIONS[0]

    # ---- themes ------------------------------------------------------------------------------

    def default_theme(self) -> Json:
        with self._lock:
            return dict(self._theme_named(self.defaults["theme"]))

    def set_default_theme(self, name: str | None) -> Json:
        """Only a theme active now and without an end can be the default (spec
        `set_default_theme`): else 422; an unknown name is 404."""
        if not name:
            raise ApiError(400, "The query parameter name is required.")
        with self._lock:
            chosen = self._theme_named(name)
            if chosen["end_at"] is not None or not _active(chosen, _now(), _now()):
                message = "Only an active theme with no end_at can be the default."
                raise validation_failed([ErrorDetail("name", "invalid", message)])
            self.defaults["theme"] = name
            return dict(chosen)

    def _forget_theme(self, theme: Json) -> None:
        """Deleting the last active theme of the default's name makes the Looker theme the
        default again (UNCONFIRMED)."""
        if theme["name"] != self.defaults["theme"]:
            return
        try:
            self._theme_named(theme["name"])
        except ApiError:
            self.defaults["theme"] = "Looker"

    def _theme_named(self, name: str) -> Json:
        """The theme of that name that is active now (the latest made, when several are)."""
        now = _now()
        named = [t for t in self._table("themes") if t["name"] == name and _active(t, now, now)]
        if not named:
            raise not_found()
        theme: Json = named[-1]
        return theme

    def _theme_errors(self, body: Json, old: Json | None, new: Json) -> list[ErrorDetail]:
        """A name of letters, digits and underscores; settings not given are copied from
        the default theme (spec `create_theme`), settings given only in part are completed
        from it (UNCONFIRMED)."""
        if not THEME_NAME.fullmatch(str(new["name"] or "")):
            message = "Name can only contain alphanumeric characters or underscores."
            return [ErrorDetail("name", "invalid", message)]
        if old is None or "settings" in body:
            default = self._theme_named(self.defaults["theme"])["settings"]
            new["settings"] = {**default, **(body.get("settings") or {})}
        return []

    def _themes_in_scope(self, objects: list[Json], filters: dict[str, str]) -> list[Json]:
        """search_themes: `begin_at` only, themes active at or after it; `end_at` only, at or
        before it; both, active at some time between (spec); `theme_type` is not modelled."""
        filters.pop("theme_type", None)
        begin, end = filters.pop("begin_at", None), filters.pop("end_at", None)
        if begin is None and end is None:
            return objects
        return [
            t
            for t in objects
            if _active(t, _parse(begin) or datetime.min, _parse(end) or datetime.max)
        ]


def _active(theme: Json, begin: datetime, end: datetime) -> bool:
    """Whether the theme's active period (null: always) meets [begin, end]."""
    starts = _parse(theme["begin_at"]) or datetime.min
    ends = _parse(theme["end_at"]) or datetime.max
    return _naive(starts) <= _naive(end) and _naive(ends) >= _naive(begin)


def _parse(text: Any) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(str(text))
    except ValueError as exc:
        raise ApiError(400, f"Not a date-time: {text!r}") from exc


def _naive(moment: datetime) -> datetime:
    """Compared in UTC without a zone (datetime.min and max have none)."""
    offset = moment.utcoffset()
    return (moment - offset).replace(tzinfo=None) if offset is not None else moment


def _now() -> datetime:
    return _naive(datetime.now(UTC))
