"""The stand-in's content: seeded objects plus create/update/delete with Looker's rules.

Objects are replaced, never mutated in place, so a response being serialised in one thread
never sees a half-applied update from another. One lock guards the id sequences and indexes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from lookervault.local.standin import query, shapes
from lookervault.local.standin.seed import Seeded, iso
from lookervault.local.standin.shapes import Json
from lookervault.local.standin.wire import ApiError, ErrorDetail, not_found, validation_failed

REQUIRED: dict[str, tuple[str, ...]] = {
    "dashboards": ("title", "folder_id"),
    "looks": ("title", "folder_id", "query_id"),
    "folders": ("name", "parent_id"),
    "boards": ("title",),
    "groups": ("name",),
    "roles": ("name", "permission_set_id", "model_set_id"),
    "permission_sets": ("name", "permissions"),
    "model_sets": ("name", "models"),
    "user_attributes": ("name", "label", "type"),
    "scheduled_plans": ("name",),
    "alerts": ("comparison_type", "cron", "field", "owner_id", "threshold", "destinations"),
    "lookml_models": ("name",),
    "queries": ("model", "view"),
}

REFERENCES: dict[str, dict[str, str]] = {
    "dashboards": {"folder_id": "folders", "user_id": "users"},
    "looks": {"folder_id": "folders", "user_id": "users", "query_id": "queries"},
    "folders": {"parent_id": "folders"},
    "boards": {"user_id": "users"},
    "roles": {"permission_set_id": "permission_sets", "model_set_id": "model_sets"},
    "scheduled_plans": {"user_id": "users", "dashboard_id": "dashboards", "look_id": "looks"},
    "alerts": {"owner_id": "users"},
}

CHILDREN: dict[str, tuple[str, str, Callable[[], Json], tuple[str, ...]]] = {
    "dashboard_elements": ("dashboards", "dashboard_id", shapes.dashboard_element, ()),
    "dashboard_filters": (
        "dashboards",
        "dashboard_id",
        shapes.dashboard_filter,
        ("name", "title", "type"),
    ),
    "dashboard_layouts": ("dashboards", "dashboard_id", shapes.dashboard_layout, ()),
    "board_sections": ("boards", "board_id", shapes.board_section, ()),
}
"""Objects stored inside a parent's list (dashboard tiles, filters, layouts; board sections):
child type -> (parent type, key naming the parent, blank, required keys on create)."""

UNIQUE_NAME = frozenset(
    {"groups", "roles", "permission_sets", "model_sets", "user_attributes", "lookml_models"}
)


def now_iso() -> str:
    return iso(datetime.now(UTC))


class Store:
    """Objects per type, in id order, behind one lock."""

    def __init__(self, seeded: Seeded) -> None:
        self._objects = seeded.objects
        self._next_ids = dict(seeded.next_ids)
        self._lock = threading.RLock()
        self._parents: dict[str, dict[str, str]] = {}

    # ---- reading -------------------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        with self._lock:
            return {name: len(self._objects[name]) for name in shapes.CONTENT_TYPES}

    def items(self, type_name: str) -> list[Json]:
        """Ground truth: the stored objects of a type, each fully rendered, in id order."""
        with self._lock:
            return [self._render(type_name, obj, detail=True) for obj in self._table(type_name)]

    def get(self, type_name: str, object_id: str, fields: str | None = None) -> Json:
        with self._lock:
            obj = self._table_dict(type_name).get(object_id)
            if obj is None:
                raise not_found()
            rendered = self._render(type_name, obj, detail=True)
        return _project(rendered, fields)

    def search(
        self, type_name: str, params: Mapping[str, str], caller_id: str, *, search: bool
    ) -> list[Json]:
        """A list or search call: scope, filters, sorts, paging and the fields projection."""
        filters = dict(params)
        with self._lock:
            candidates = [
                obj
                for obj in self._scoped(type_name, filters, caller_id, search=search)
                if query.matches(obj, filters)
            ]
            ordered = query.sort(candidates, params.get("sorts"), shapes.id_key(type_name))
            paged = query.page(ordered, params)
            rendered = [self._render(type_name, obj, detail=False) for obj in paged]
        return [_project(obj, params.get("fields")) for obj in rendered]

    def group_users(self, group_id: str, params: Mapping[str, str]) -> list[Json]:
        with self._lock:
            if group_id not in self._objects["groups"]:
                raise not_found()
            members = [u for u in self._table("users") if group_id in u["group_ids"]]
            ordered = query.sort(members, params.get("sorts"))
            rendered = [self._render("users", u, detail=False) for u in query.page(ordered, params)]
        return [_project(obj, params.get("fields")) for obj in rendered]

    def group_values(self, attribute_id: str, fields: str | None) -> list[Json]:
        with self._lock:
            if attribute_id not in self._objects["user_attributes"]:
                raise not_found()
            values = [
                dict(v)
                for v in self._table("user_attribute_group_values")
                if v["user_attribute_id"] == attribute_id
            ]
        return [_project(v, fields) for v in sorted(values, key=lambda v: v["rank"])]

    def _scoped(
        self, type_name: str, filters: dict[str, str], caller_id: str, *, search: bool
    ) -> list[Json]:
        """Objects a call can see before its search filters apply (Looker's defaults)."""
        objects = self._table(type_name)
        if type_name in shapes.SOFT_DELETABLE:
            wanted = filters.pop("deleted", "false") if search else "false"
            return [obj for obj in objects if str(obj["deleted"]).lower() == wanted.lower()]
        if type_name == "scheduled_plans":
            all_users = filters.pop("all_users", "false") == "true"
            if all_users and "user_id" not in filters:
                return objects
            owner = filters.pop("user_id", caller_id)
            return [obj for obj in objects if obj["user_id"] == owner]
        if type_name == "alerts":
            if "disabled" in filters:
                filters["is_disabled"] = filters.pop("disabled")
            if filters.pop("all_owners", "false") == "true":
                return objects
            return [obj for obj in objects if obj["owner_id"] == caller_id]
        if type_name == "users" and "group_id" in filters:
            filters["group_ids"] = filters.pop("group_id")
        if type_name == "boards" and "creator_id" in filters:
            filters["user_id"] = filters.pop("creator_id")
        return objects

    def _table(self, type_name: str) -> list[Json]:
        return list(self._table_dict(type_name).values())

    def _table_dict(self, type_name: str) -> dict[str, Json]:
        table = self._objects.get(type_name)
        if table is None:
            raise not_found()
        return table

    def _render(self, type_name: str, obj: Json, *, detail: bool) -> Json:
        """The object as the API returns it: related objects embedded, list-only keys left out."""
        out = dict(obj)
        if not detail:
            for key in shapes.LIST_OMITS.get(type_name, ()):
                out.pop(key, None)
        if type_name == "dashboards" and detail:
            out["dashboard_elements"] = [self._element(e) for e in obj["dashboard_elements"]]
            out["dashboard_layouts"] = [
                {**layout, "dashboard_title": obj["title"]} for layout in obj["dashboard_layouts"]
            ]
        elif type_name == "looks" and detail:
            out["query"] = self._objects["queries"].get(obj["query_id"] or "")
        elif type_name == "roles":
            out["permission_set"] = self._objects["permission_sets"].get(obj["permission_set_id"])
            out["model_set"] = self._objects["model_sets"].get(obj["model_set_id"])
        elif type_name == "scheduled_plans":
            out["user"] = self._user_public(obj["user_id"])
        elif type_name == "alerts":
            owner = self._objects["users"].get(obj["owner_id"])
            out["owner_display_name"] = owner["display_name"] if owner else None
        return {key: value for key, value in out.items() if value is not None or key in obj}

    def _element(self, element: Json) -> Json:
        out = dict(element)
        if element["look_id"] and element["look_id"] in self._objects["looks"]:
            out["look"] = self._render(
                "looks", self._objects["looks"][element["look_id"]], detail=True
            )
        if element["query_id"] and element["query_id"] in self._objects["queries"]:
            out["query"] = self._objects["queries"][element["query_id"]]
        return out

    def _user_public(self, user_id: str | None) -> Json | None:
        user = self._objects["users"].get(user_id or "")
        if user is None:
            return None
        return {
            "id": user["id"],
            "first_name": user["first_name"] or "",
            "last_name": user["last_name"] or "",
            "display_name": user["display_name"],
            "avatar_url": user["avatar_url"] or "",
        }

    # ---- writing -------------------------------------------------------------------------

    def create(self, type_name: str, body: Any, caller_id: str) -> Json:
        body = _require_object(body)
        with self._lock:
            table = self._table_dict(type_name)
            self._validate(type_name, body, None, for_create=True)
            obj = shapes.blank(type_name)
            obj.update(
                {k: v for k, v in body.items() if k in obj and shapes.writable(type_name, k)}
            )
            key = shapes.id_key(type_name)
            if key == "id":
                obj["id"] = self.new_id(type_name)
            stamp = now_iso()
            for name in ("created_at", "updated_at"):
                if name in obj:
                    obj[name] = stamp
            self._on_create(type_name, obj, caller_id, stamp)
            table[obj[key]] = obj
            if type_name == "folders":
                self._bump("folders", obj["parent_id"], "child_count", 1)
            return self._render(type_name, obj, detail=True)

    def update(self, type_name: str, object_id: str, body: Any, caller_id: str) -> Json:
        body = _require_object(body)
        with self._lock:
            table = self._table_dict(type_name)
            old = table.get(object_id)
            if old is None:
                raise not_found()
            self._validate(type_name, body, old, for_create=False)
            changes = {k: v for k, v in body.items() if k in old and shapes.writable(type_name, k)}
            new = {**old, **changes}
            stamp = now_iso()
            if "updated_at" in new:
                new["updated_at"] = stamp
            if "last_updater_id" in new:
                new["last_updater_id"] = caller_id
            if type_name in shapes.SOFT_DELETABLE and "deleted" in changes:
                deleted = bool(changes["deleted"])
                new["deleted_at"] = (old["deleted_at"] or stamp) if deleted else None
                new["deleter_id"] = (old["deleter_id"] or caller_id) if deleted else None
            new_key = new[shapes.id_key(type_name)]
            if new_key != object_id:
                del table[object_id]
            table[new_key] = new
            if type_name == "folders" and new["parent_id"] != old["parent_id"]:
                self._bump("folders", old["parent_id"], "child_count", -1)
                self._bump("folders", new["parent_id"], "child_count", 1)
            return self._render(type_name, new, detail=True)

    def replace(self, type_name: str, object_id: str, body: Any, caller_id: str) -> Json:
        """PUT: every writable key comes from the body (missing ones go back to defaults)."""
        body = _require_object(body)
        with self._lock:
            old = self._table_dict(type_name).get(object_id)
            if old is None:
                raise not_found()
            self._validate(type_name, body, None, for_create=True)
            fresh = {
                k: v for k, v in shapes.blank(type_name).items() if shapes.writable(type_name, k)
            }
        return self.update(type_name, object_id, {**fresh, **body}, caller_id)

    def delete(self, type_name: str, object_id: str) -> None:
        with self._lock:
            table = self._table_dict(type_name)
            obj = table.get(object_id)
            if obj is None:
                raise not_found()
            if type_name == "folders" and (obj["is_shared_root"] or obj["is_users_root"]):
                raise ApiError(422, "The shared and users root folders cannot be deleted")
            del table[object_id]
            self._on_delete(type_name, obj)

    def add_group_user(self, group_id: str, body: Any) -> Json:
        body = _require_object(body)
        with self._lock:
            if group_id not in self._objects["groups"]:
                raise not_found()
            user_id = str(body.get("user_id") or "")
            user = self._objects["users"].get(user_id)
            if user is None:
                raise validation_failed([ErrorDetail("user_id", "missing", "User not found")])
            if group_id not in user["group_ids"]:
                ids = sorted([*user["group_ids"], group_id], key=int)
                user = self._objects["users"][user_id] = {**user, "group_ids": ids}
                self._bump("groups", group_id, "user_count", 1)
            return self._render("users", user, detail=True)

    def remove_group_user(self, group_id: str, user_id: str) -> None:
        with self._lock:
            user = self._objects["users"].get(user_id)
            if group_id not in self._objects["groups"] or user is None:
                raise not_found()
            if group_id in user["group_ids"]:
                ids = [g for g in user["group_ids"] if g != group_id]
                self._objects["users"][user_id] = {**user, "group_ids": ids}
                self._bump("groups", group_id, "user_count", -1)

    def set_group_values(self, attribute_id: str, body: Any) -> list[Json]:
        if not isinstance(body, list) or not all(isinstance(v, dict) for v in body):
            raise ApiError(400, "Expected a JSON array of group values")
        with self._lock:
            if attribute_id not in self._objects["user_attributes"]:
                raise not_found()
            table = self._objects["user_attribute_group_values"]
            for value_id in [k for k, v in table.items() if v["user_attribute_id"] == attribute_id]:
                del table[value_id]
            created = []
            for rank, given in enumerate(body, 1):
                group_id = str(given.get("group_id") or "")
                if group_id not in self._objects["groups"]:
                    raise validation_failed([ErrorDetail("group_id", "missing", "No such group")])
                value = shapes.blank("user_attribute_group_values")
                value.update(
                    id=self.new_id("user_attribute_group_values"),
                    group_id=group_id,
                    user_attribute_id=attribute_id,
                    rank=rank,
                    value=given.get("value"),
                )
                table[value["id"]] = value
                created.append(dict(value))
            return created

    def create_child(self, child_type: str, body: Any) -> Json:
        body = _require_object(body)
        parent_type, parent_key, blank, required = CHILDREN[child_type]
        with self._lock:
            missing = [name for name in (parent_key, *required) if body.get(name) in (None, "")]
            if missing:
                raise validation_failed(
                    [ErrorDetail(name, "missing", "This field is required.") for name in missing]
                )
            parent = self._objects[parent_type].get(str(body[parent_key]))
            if parent is None:
                raise validation_failed(
                    [ErrorDetail(parent_key, "invalid", f"No {parent_type[:-1]} with that id")]
                )
            child = blank()
            child.update({k: v for k, v in body.items() if k in child and _child_writable(k)})
            child["id"] = self.new_id(child_type)
            child[parent_key] = parent["id"]
            new_parent = {**parent, child_type: [*parent[child_type], child]}
            if child_type == "dashboard_elements":
                new_parent["dashboard_layouts"] = [
                    self._with_component(layout, child) for layout in parent["dashboard_layouts"]
                ]
            self._objects[parent_type][parent["id"]] = new_parent
            self._parent_index(child_type)[child["id"]] = parent["id"]
            return self._render_child(child_type, child)

    def get_child(self, child_type: str, child_id: str, fields: str | None) -> Json:
        with self._lock:
            _, child = self._find_child(child_type, child_id)
            rendered = self._render_child(child_type, child)
        return _project(rendered, fields)

    def update_child(self, child_type: str, child_id: str, body: Any) -> Json:
        body = _require_object(body)
        with self._lock:
            parent, child = self._find_child(child_type, child_id)
            changes = {k: v for k, v in body.items() if k in child and _child_writable(k)}
            changes.pop(CHILDREN[child_type][1], None)
            new_child = {**child, **changes}
            siblings = [new_child if c["id"] == child_id else c for c in parent[child_type]]
            self._store_parent(child_type, {**parent, child_type: siblings})
            return self._render_child(child_type, new_child)

    def delete_child(self, child_type: str, child_id: str) -> None:
        with self._lock:
            parent, _ = self._find_child(child_type, child_id)
            new_parent = {
                **parent,
                child_type: [c for c in parent[child_type] if c["id"] != child_id],
            }
            if child_type == "dashboard_elements":
                new_parent["dashboard_layouts"] = [
                    {
                        **layout,
                        "dashboard_layout_components": [
                            c
                            for c in layout["dashboard_layout_components"]
                            if c["dashboard_element_id"] != child_id
                        ],
                    }
                    for layout in parent["dashboard_layouts"]
                ]
            self._store_parent(child_type, new_parent)
            del self._parent_index(child_type)[child_id]

    def _parent_index(self, child_type: str) -> dict[str, str]:
        """child id -> parent id, built on first use and kept up to date by child writes."""
        index = self._parents.get(child_type)
        if index is None:
            parent_type = CHILDREN[child_type][0]
            index = {
                child["id"]: parent["id"]
                for parent in self._objects[parent_type].values()
                for child in parent[child_type]
            }
            self._parents[child_type] = index
        return index

    def _find_child(self, child_type: str, child_id: str) -> tuple[Json, Json]:
        parent_id = self._parent_index(child_type).get(child_id)
        parent = self._objects[CHILDREN[child_type][0]].get(parent_id or "")
        if parent is None:
            raise not_found()
        child = next((c for c in parent[child_type] if c["id"] == child_id), None)
        if child is None:
            raise not_found()
        return parent, child

    def _store_parent(self, child_type: str, parent: Json) -> None:
        self._objects[CHILDREN[child_type][0]][parent["id"]] = parent

    def _render_child(self, child_type: str, child: Json) -> Json:
        return self._element(child) if child_type == "dashboard_elements" else dict(child)

    def _with_component(self, layout: Json, element: Json) -> Json:
        """Looker places a new tile on every layout of its dashboard, below the others."""
        components = layout["dashboard_layout_components"]
        component = shapes.dashboard_layout_component()
        component.update(
            id=self.new_id("dashboard_layout_components"),
            dashboard_layout_id=layout["id"],
            dashboard_element_id=element["id"],
            row=max((c["row"] + c["height"] for c in components), default=0),
            element_title=element["title"] or element["title_text"],
            vis_type="text" if element["type"] == "text" else None,
        )
        return {**layout, "dashboard_layout_components": [*components, component]}

    def new_id(self, sequence: str) -> str:
        with self._lock:
            value = self._next_ids.get(sequence, 1)
            self._next_ids[sequence] = value + 1
            return str(value)

    def _validate(self, type_name: str, body: Json, old: Json | None, *, for_create: bool) -> None:
        errors: list[ErrorDetail] = []
        if for_create:
            errors += [
                ErrorDetail(name, "missing", "This field is required.")
                for name in REQUIRED.get(type_name, ())
                if body.get(name) is None or body.get(name) == "" or body.get(name) == []
            ]
        for name, target in REFERENCES.get(type_name, {}).items():
            value = body.get(name)
            if value not in (None, "") and str(value) not in self._objects[target]:
                errors.append(ErrorDetail(name, "invalid", f"No {target[:-1]} with id {value}"))
        if type_name in UNIQUE_NAME and body.get("name"):
            own = old[shapes.id_key(type_name)] if old else None
            for obj in self._table(type_name):
                if obj["name"] == body["name"] and obj[shapes.id_key(type_name)] != own:
                    errors.append(ErrorDetail("name", "already_exists", "Name is already taken."))
                    break
        moving = type_name == "folders" and old is not None and body.get("parent_id")
        if moving and old and self._is_descendant(str(body["parent_id"]), old["id"]):
            errors.append(ErrorDetail("parent_id", "invalid", "A folder cannot move into itself."))
        if errors:
            raise validation_failed(errors)

    def _is_descendant(self, folder_id: str, ancestor_id: str) -> bool:
        current: str | None = folder_id
        while current is not None:
            if current == ancestor_id:
                return True
            current = self._objects["folders"].get(current, {}).get("parent_id")
        return False

    def _on_create(self, type_name: str, obj: Json, caller_id: str, stamp: str) -> None:
        """Side effects Looker has on create: owners, a default layout, a personal folder."""
        if type_name in ("dashboards", "looks", "boards") and not obj.get("user_id"):
            obj["user_id"] = caller_id
        if "content_metadata_id" in obj:
            obj["content_metadata_id"] = self.new_id("content_metadata")
        if type_name == "dashboards":
            obj["slug"] = obj["id"] + "-" + self.new_id("slugs")
            layout = shapes.dashboard_layout()
            layout.update(id=self.new_id("dashboard_layouts"), dashboard_id=obj["id"])
            obj["dashboard_layouts"] = [layout]
            self._parents.pop("dashboard_layouts", None)
        elif type_name == "folders":
            obj["creator_id"] = caller_id
            parent = self._objects["folders"][obj["parent_id"]]
            obj["is_personal_descendant"] = (
                parent["is_personal"] or parent["is_personal_descendant"]
            )
        elif type_name == "scheduled_plans":
            obj["user_id"] = obj["user_id"] or caller_id
            obj["title"] = obj["name"]
        elif type_name == "users":
            users_root = next(f for f in self._table("folders") if f["is_users_root"])
            personal = shapes.blank("folders")
            name = " ".join(p for p in (obj["first_name"], obj["last_name"]) if p) or obj["id"]
            personal.update(
                id=self.new_id("folders"),
                name=name,
                parent_id=users_root["id"],
                creator_id=obj["id"],
                created_at=stamp,
                is_personal=True,
                content_metadata_id=self.new_id("content_metadata"),
            )
            self._objects["folders"][personal["id"]] = personal
            self._bump("folders", users_root["id"], "child_count", 1)
            obj["display_name"] = name
            obj["personal_folder_id"] = personal["id"]

    def _on_delete(self, type_name: str, obj: Json) -> None:
        """Keep counters and memberships true: Looker drops links to a deleted group or role."""
        if type_name == "folders":
            self._bump("folders", obj["parent_id"], "child_count", -1)
        elif type_name == "users":
            for group_id in obj["group_ids"]:
                self._bump("groups", group_id, "user_count", -1)
        elif type_name in ("groups", "roles"):
            field_name = "group_ids" if type_name == "groups" else "role_ids"
            users = self._objects["users"]
            for user_id, user in list(users.items()):
                if obj["id"] in user[field_name]:
                    kept = [i for i in user[field_name] if i != obj["id"]]
                    users[user_id] = {**user, field_name: kept}
        if type_name == "groups":
            values = self._objects["user_attribute_group_values"]
            for value_id in [k for k, v in values.items() if v["group_id"] == obj["id"]]:
                del values[value_id]

    def _bump(self, type_name: str, object_id: str | None, key: str, delta: int) -> None:
        """Adjust a derived counter (folder children, group members) after a write."""
        table = self._objects[type_name]
        obj = table.get(object_id or "")
        if obj is not None:
            table[obj["id"]] = {**obj, key: obj[key] + delta}


def _child_writable(key: str) -> bool:
    nested = {"dashboard_layout_components", "board_items", "look", "query"}
    return key not in shapes.SERVER_MANAGED and key not in nested


def _require_object(body: Any) -> Json:
    if not isinstance(body, dict):
        raise ApiError(400, "Expected a JSON object in the request body")
    return body


def _project(obj: Json, fields: str | None) -> Json:
    if not fields:
        return obj
    projected: Json = query.project(obj, query.parse_fields(fields))
    return projected
