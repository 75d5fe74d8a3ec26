"""Content favourites: a user's favourite dashboard, look or board, named by its content
metadata; which content it is follows from that record. Found by id and by search through the
generic calls; made here, and dropped with their user or content.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lookervault.local.standin import shapes
from lookervault.local.standin.shapes import Json
from lookervault.local.standin.store.tables import Tables, require_object
from lookervault.local.standin.wire import ErrorDetail, validation_failed

FAVORABLE = frozenset({"dashboard", "look", "board"})


class FavoritesMixin(Tables):
    """Creating a favourite, what a search sees, and a favourite's content as shown."""

    def create_content_favorite(self, body: Any, caller_id: str) -> Json:
        """One favourite per user and content. A given `user_id` makes it that user's when
        the answers create as given, else it is the caller's; without one it is the caller's
        (both UNCONFIRMED: Looker's own example logs in as each user instead)."""
        body = require_object(body)
        with self._lock:
            given = body.get("user_id") if self.answers.creates_as_given else None
            user_id = str(given or caller_id)
            meta = self._favorite_target(body.get("content_metadata_id"), user_id)
            favorite = shapes.content_favorite(self.new_id("content_favorites"), user_id, meta)
            self._objects["content_favorites"][favorite["id"]] = favorite
            return self._render("content_favorites", favorite, detail=True)

    def _favorite_target(self, meta_id: Any, user_id: str) -> Json:
        """The content metadata record a new favourite names, or a 422."""
        if meta_id in (None, ""):
            raise validation_failed(
                [ErrorDetail("content_metadata_id", "missing", "This field is required.")]
            )
        if user_id not in self._objects["users"]:
            raise validation_failed(
                [ErrorDetail("user_id", "invalid", f"No user with id {user_id}")]
            )
        meta: Json | None = self._objects["content_metadata"].get(str(meta_id))
        if meta is None or meta["content_type"] not in FAVORABLE:
            message = "Only a dashboard, a look or a board can be a favorite."
            raise validation_failed([ErrorDetail("content_metadata_id", "invalid", message)])
        if (user_id, meta["id"]) in self._indexed("content_favorites").index("favorite"):
            message = "This content is already a favorite of this user."
            raise validation_failed([ErrorDetail("content_metadata_id", "already_exists", message)])
        return meta

    def _favorites_in_scope(self, filters: dict[str, str], caller_id: str) -> list[Json]:
        """Without `user_id`, every user's favourites (the caller is an admin), or where the
        answers say so only the caller's (both UNCONFIRMED); `user_id` takes a comma-separated
        list (spec). `include_board_items` with `board_id` adds the favourites of the
        dashboards and looks on those boards (spec)."""
        if not self.answers.favorites_of_everyone and not filters.get("user_id"):
            filters["user_id"] = caller_id
        favorites = self._table("content_favorites")
        wanted = filters.pop("include_board_items", "false") == "true"
        if not (wanted and "board_id" in filters):
            return favorites
        boards = {board_id.strip() for board_id in filters.pop("board_id").split(",")}
        items = [
            item
            for board_id in boards
            for section in self._objects["boards"].get(board_id, {}).get("board_sections", [])
            for item in section["board_items"]
        ]
        dashboards = {i["dashboard_id"] for i in items if i["dashboard_id"]}
        looks = {i["look_id"] for i in items if i["look_id"]}
        return [
            f
            for f in favorites
            if f["board_id"] in boards or f["dashboard_id"] in dashboards or f["look_id"] in looks
        ]

    def _favorite_content(self, favorite: Json) -> Json:
        """The favourite's look or dashboard, as much as the spec's LookBasic and
        DashboardBase show."""
        look = self._objects["looks"].get(favorite["look_id"] or "")
        dashboard = self._objects["dashboards"].get(favorite["dashboard_id"] or "")
        shown: Json = {}
        if look is not None:
            shown["look"] = {k: look[k] for k in ("id", "title", "content_metadata_id", "user_id")}
        if dashboard is not None:
            keys = ("id", "title", "description", "content_metadata_id", "user_id", "slug")
            shown["dashboard"] = {k: dashboard[k] for k in (*keys, "hidden", "readonly")}
        return shown

    def _drop_favorites(self, doomed: Callable[[Json], bool]) -> None:
        """Favourites go with their user and with content deleted for good."""
        table = self._objects["content_favorites"]
        for favorite_id in [k for k, f in table.items() if doomed(f)]:
            del table[favorite_id]
