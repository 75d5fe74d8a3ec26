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
        namesakes = self._indexed("folders").index("name").ids((new["parent_id"], new["name"]))
        if any(namesake != new["id"] for namesake in namesakes):
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
        folders = self._indexed("folders")
        doomed = {folder_id}
        frontier = [folder_id]
        while frontier:
            children = folders.index("parent_id").ids(frontier.pop())
            doomed.update(children)
            frontier += children
        subfolders = [folders.pop(sub_id) for sub_id in sorted(doomed - {folder_id}, key=int)]
        for type_name in ("looks", "dashboards"):
            table = self._indexed(type_name)
            held = {i for f in doomed for i in table.index("folder_id").ids(f)}
            for obj in [table[i] for i in sorted(held, key=int)]:
                del table[obj["id"]]
                self._on_delete(type_name, obj)
        return subfolders
