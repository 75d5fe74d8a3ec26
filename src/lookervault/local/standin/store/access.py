"""Content metadata and content access: one content metadata record per folder, dashboard, look
and board, and the access entries (view or edit, for one group or one user) of content that
does not inherit its access from its parent.

A record stores what cannot be read elsewhere (its content, whether it inherits); its name,
parent, slug and the record it inherits from are read from the content when it is shown, so
a rename or a move needs no second write. Folders and boards may stop inheriting (spec
`ContentMeta.inherits`); the roots have no parent and never inherit.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from lookervault.local.standin import shapes, types
from lookervault.local.standin.shapes import Json
from lookervault.local.standin.store.tables import (
    BoardGrant,
    Delivery,
    Tables,
    projected,
    require_object,
)
from lookervault.local.standin.wire import ApiError, ErrorDetail, not_found, validation_failed

TARGET_TABLES = {
    content_type: (table, key) for table, (content_type, key) in types.CONTENT_META_TARGETS.items()
}
"""content_type -> (the table of its content, the key of the record naming it)."""

MAY_STOP_INHERITING = frozenset({"space", "board"})
PRINCIPALS = (("group_id", "groups"), ("user_id", "users"))
LEVELS = {"view": 1, "edit": 2}
"""Access levels, to compare a folder's access with its parent's (no entry: 0)."""


class AccessMixin(Tables):
    """The content metadata and content metadata access calls, and what content writes do to
    them."""

    # ---- content metadata ------------------------------------------------------------------

    def content_metadatas(self, params: Mapping[str, str]) -> list[Json]:
        """The records whose parent is `parent_id` (a content metadata id), in id order."""
        parent_id = _required_param(params, "parent_id")
        with self._lock:
            if parent_id not in self._objects["content_metadata"]:
                raise not_found()
            children = [
                self._content_meta(r)
                for r in self._table("content_metadata")
                if self._parent_meta_id(r) == parent_id
            ]
        return [projected(child, params.get("fields")) for child in children]

    def update_content_metadata(self, meta_id: str, body: Any) -> Json:
        """Only `inherits` is writable. Turning it off starts the content from the access of
        the record it inherited from; turning it on drops the content's own entries."""
        body = require_object(body)
        with self._lock:
            record = self._objects["content_metadata"].get(meta_id)
            if record is None:
                raise not_found()
            inherits = body.get("inherits", record["inherits"])
            if inherits != record["inherits"]:
                self._check_inherits(record, inherits)
                if inherits:
                    self._drop_access(lambda entry: entry["content_metadata_id"] == meta_id)
                else:
                    self._copy_inherited_access(record)
                record = {**record, "inherits": inherits}
                self._objects["content_metadata"][meta_id] = record
            return self._content_meta(record)

    def _check_inherits(self, record: Json, inherits: bool) -> None:
        if not inherits and record["content_type"] not in MAY_STOP_INHERITING:
            message = "Only a folder or a board can stop inheriting its access."
            raise validation_failed([ErrorDetail("inherits", "invalid", message)])
        if inherits and self._parent_meta_id(record) is None and record["content_type"] == "space":
            message = "A root folder has no parent to inherit from."
            raise validation_failed([ErrorDetail("inherits", "invalid", message)])

    def _copy_inherited_access(self, record: Json) -> None:
        """Content that stops inheriting keeps the access it had: the entries of the record
        it inherited from become its own (lmanage create_folder_permissions.py)."""
        for entry in self._access_of(self._inheriting_id(record)):
            new = {
                **entry,
                "id": self.new_id("content_metadata_access"),
                "content_metadata_id": record["id"],
            }
            self._objects["content_metadata_access"][new["id"]] = new

    def _content_meta(self, record: Json) -> Json:
        """A record as the API shows it, with what is read from its content filled in."""
        content = self._content_of(record)
        return {
            **record,
            "name": content["name"] if record["content_type"] == "space" else content["title"],
            "parent_id": self._parent_meta_id(record),
            "agent_id": None,
            "inheriting_id": self._inheriting_id(record),
            "slug": content.get("slug"),
        }

    def _parent_meta_id(self, record: Json) -> str | None:
        """The record of the folder the content is in (a folder's: of its parent folder)."""
        if record["content_type"] == "board":
            return None
        content = self._content_of(record)
        folder_id = (
            content["parent_id"] if record["content_type"] == "space" else content["folder_id"]
        )
        folder = self._objects["folders"].get(folder_id or "")
        return folder["content_metadata_id"] if folder else None

    def _content_of(self, record: Json) -> Json:
        table, key = TARGET_TABLES[record["content_type"]]
        content: Json = self._objects[table][record[key]]
        return content

    def _inheriting_id(self, record: Json) -> str | None:
        """The nearest ancestor whose own entries give this content its access (None for
        content with entries of its own, or with nothing to inherit from). UNCONFIRMED: the
        spec says only "Id of Inherited Content"."""
        if not record["inherits"]:
            return None
        parent_id = self._parent_meta_id(record)
        while parent_id is not None:
            parent = self._objects["content_metadata"][parent_id]
            if not parent["inherits"]:
                return parent_id
            parent_id = self._parent_meta_id(parent)
        return None

    def _add_content_metadata(self, type_name: str, obj: Json) -> None:
        """New content inherits its access from its folder (a new board: Looker's default)."""
        obj["content_metadata_id"] = self.new_id("content_metadata")
        record = shapes.content_meta(types.CONTENT_META_TARGETS[type_name], obj, inherits=True)
        self._objects["content_metadata"][record["id"]] = record

    def _drop_content_metadata(self, meta_ids: set[str]) -> None:
        """Content deleted for good takes its record and access entries with it."""
        for meta_id in meta_ids:
            self._objects["content_metadata"].pop(meta_id, None)
        self._drop_access(lambda entry: entry["content_metadata_id"] in meta_ids)

    # ---- access entries ----------------------------------------------------------------------

    def content_accesses(self, params: Mapping[str, str]) -> list[Json]:
        """The content's own entries (none while it inherits), in id order."""
        meta_id = _required_param(params, "content_metadata_id")
        with self._lock:
            if meta_id not in self._objects["content_metadata"]:
                raise not_found()
            entries = [dict(e) for e in self._access_of(meta_id)]
        return [projected(e, params.get("fields")) for e in entries]

    def _access_of(self, meta_id: str | None) -> list[Json]:
        """The access entries of one content metadata record, in id order."""
        entries = self._indexed("content_metadata_access")
        return [entries[i] for i in entries.index("content_metadata_id").ids(meta_id)]

    def create_content_access(self, body: Any, *, notify: str | None) -> Json:
        """One entry per group or user on content that does not inherit. `notify`, the
        `send_boards_notification_email` parameter as given (None: left out), is recorded for
        a board, and "true" mails the people given access to it."""
        body = require_object(body)
        with self._lock:
            record, principal = self._check_new_access(body)
            entry = shapes.content_access(
                self.new_id("content_metadata_access"),
                record["id"],
                str(body["permission_type"]),
                principal,
            )
            self._objects["content_metadata_access"][entry["id"]] = entry
            if record["content_type"] == "board":
                self.board_grants.append(BoardGrant(record["homepage_id"], notify))
            if notify == "true" and record["content_type"] == "board":
                detail = {principal[0]: principal[1]}
                self.deliveries.append(
                    Delivery("boards_notification_email", record["homepage_id"], detail)
                )
            return dict(entry)

    def _check_new_access(self, body: Json) -> tuple[Json, tuple[str, str]]:
        """The record the entry is for and its ("group_id" | "user_id", id), or a 422."""
        missing = [
            ErrorDetail(name, "missing", "This field is required.")
            for name in ("content_metadata_id", "permission_type")
            if body.get(name) in (None, "")
        ]
        given = [(key, str(body[key])) for key, _ in PRINCIPALS if body.get(key) not in (None, "")]
        if len(given) != 1:
            message = "Exactly one of group_id and user_id is required."
            missing.append(ErrorDetail("group_id", "missing" if not given else "invalid", message))
        if missing:
            raise validation_failed(missing)
        record = self._objects["content_metadata"].get(str(body["content_metadata_id"]))
        if record is None:
            message = "No content metadata with that id"
            raise validation_failed([ErrorDetail("content_metadata_id", "invalid", message)])
        errors = self._access_errors(record, given[0])
        if errors:
            raise validation_failed(errors)
        return record, given[0]

    def _access_errors(self, record: Json, principal: tuple[str, str]) -> list[ErrorDetail]:
        """The group or user exists and may be given access; the content has entries of its
        own and none yet for them."""
        key, principal_id = principal
        table = dict(PRINCIPALS)[key]
        found = self._objects[table].get(principal_id)
        if found is None:
            return [ErrorDetail(key, "invalid", f"No {table[:-1]} with id {principal_id}")]
        if table == "groups" and not found["can_add_to_content_metadata"]:
            message = "This group cannot be given access to content."
            return [ErrorDetail(key, "invalid", message)]
        if record["inherits"]:
            message = "Content that inherits its access has no access entries of its own."
            return [ErrorDetail("content_metadata_id", "invalid", message)]
        if any(e[key] == principal_id for e in self._access_of(record["id"])):
            message = f"This {table[:-1]} already has access to this content."
            return [ErrorDetail(key, "already_exists", message)]
        return []

    def update_content_access(self, access_id: str, body: Any) -> Json:
        """PUT changes the permission type; which content and whose access it is stay."""
        body = require_object(body)
        with self._lock:
            entry = self._objects["content_metadata_access"].get(access_id)
            if entry is None:
                raise not_found()
            if body.get("permission_type") is None:
                raise validation_failed(
                    [ErrorDetail("permission_type", "missing", "This field is required.")]
                )
            self._check_top_down(entry, str(body["permission_type"]))
            entry = {**entry, "permission_type": body["permission_type"]}
            self._objects["content_metadata_access"][access_id] = entry
            return dict(entry)

    def delete_content_access(self, access_id: str) -> None:
        with self._lock:
            entry = self._objects["content_metadata_access"].get(access_id)
            if entry is None:
                raise not_found()
            self._check_top_down(entry, None)
            del self._objects["content_metadata_access"][access_id]

    def _check_top_down(self, entry: Json, permission_type: str | None) -> None:
        """Unless access may change in any order: a folder gives no group or user less than
        its parent folder does (`permission_type` None: no access) until the parent's access
        has been narrowed. Looker docs: "You cannot modify the settings for All Users in
        individual subfolders until the access level for that group is changed in the Shared
        folder" (UNCONFIRMED for the API)."""
        if self.answers.access_in_any_order:
            return
        record = self._objects["content_metadata"][entry["content_metadata_id"]]
        above = self._parent_access(record).get(_principal(entry))
        if above is not None and LEVELS[above] > LEVELS.get(permission_type or "", 0):
            message = (
                "The parent folder gives this group or user more access: change the parent"
                " folder's access first."
            )
            raise validation_failed([ErrorDetail("content_metadata_id", "invalid", message)])

    def _parent_access(self, record: Json) -> dict[tuple[str, str], str]:
        """What the folder above gives, principal -> permission type: its own entries, or
        those of the record it inherits from."""
        parent_id = self._parent_meta_id(record)
        if parent_id is None:
            return {}
        parent = self._objects["content_metadata"][parent_id]
        source = self._inheriting_id(parent) if parent["inherits"] else parent_id
        return {_principal(e): e["permission_type"] for e in self._access_of(source)}

    def _drop_access(self, doomed: Callable[[Json], bool]) -> None:
        """Entries go with their content, group or user."""
        table = self._objects["content_metadata_access"]
        for access_id in [k for k, entry in table.items() if doomed(entry)]:
            del table[access_id]


def _principal(entry: Json) -> tuple[str, str]:
    """("group_id" | "user_id", id): whose access an entry is."""
    return next((key, entry[key]) for key, _ in PRINCIPALS if entry[key])


def _required_param(params: Mapping[str, str], name: str) -> str:
    value = params.get(name)
    if not value:
        raise ApiError(400, f"The query parameter {name} is required.")
    return value
