"""Folders: what a new folder takes from its parent, which moves and names Looker refuses, which
folders cannot be deleted, and how a delete takes a folder's subfolders, looks and dashboards
with it.
"""

from __future__ import annotations

from lookervault.local.standin.shapes import Json
from lookervault.local.standin.store.tables import Tables
from lookervault.local.standin.wire import ApiError, ErrorDetail


class FoldersMixin(Tables):
    """The folder tree's own rules; the generic create, update and delete call them."""

    def _on_folder_create(self, obj: Json, caller_id: str) -> None:
        obj["creator_id"] = caller_id
        parent = self._objects["folders"][obj["parent_id"]]
        obj["is_personal_descendant"] = parent["is_personal"] or parent["is_personal_descendant"]

    def _refuse_folder_delete(self, obj: Json) -> None:
        if obj["is_shared_root"] or obj["is_users_root"]:
            raise ApiError(422, "The shared and users root folders cannot be deleted")
        if obj["is_personal"]:
            raise ApiError(422, "A personal folder cannot be deleted")

    def _folder_errors(self, old: Json | None, new: Json) -> list[ErrorDetail]:
        """No folder moves into itself or moves a root; names are unique within a parent."""
        if old is not None and (new["name"], new["parent_id"]) == (old["name"], old["parent_id"]):
            return []
        errors = []
        moved = old is not None and new["parent_id"] != old["parent_id"]
        if moved and old and self._is_descendant(str(new["parent_id"]), old["id"]):
            errors.append(ErrorDetail("parent_id", "invalid", "A folder cannot move into itself."))
        if moved and old and (old["is_shared_root"] or old["is_users_root"]):
            errors.append(ErrorDetail("parent_id", "invalid", "A root folder cannot be moved."))
        if any(
            f["id"] != new["id"] and f["parent_id"] == new["parent_id"] and f["name"] == new["name"]
            for f in self._table("folders")
        ):
            errors.append(ErrorDetail("name", "already_exists", "Name is already taken."))
        return errors

    def _is_descendant(self, folder_id: str, ancestor_id: str) -> bool:
        current: str | None = folder_id
        while current is not None:
            if current == ancestor_id:
                return True
            current = self._objects["folders"].get(current, {}).get("parent_id")
        return False

    def _delete_folder_contents(self, folder_id: str) -> list[Json]:
        """Deleting a folder deletes its subfolders and every look and dashboard in them; the
        subfolders deleted are returned."""
        doomed = {folder_id}
        frontier = [folder_id]
        while frontier:
            parent = frontier.pop()
            children = [f["id"] for f in self._table("folders") if f["parent_id"] == parent]
            doomed.update(children)
            frontier += children
        subfolders = [self._objects["folders"].pop(sub_id) for sub_id in doomed - {folder_id}]
        for type_name in ("looks", "dashboards"):
            table = self._objects[type_name]
            for obj in [o for o in table.values() if o["folder_id"] in doomed]:
                del table[obj["id"]]
                self._on_delete(type_name, obj)
        return subfolders
