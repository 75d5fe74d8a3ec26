"""The store's generic operations: reading, listing and writing any type and any part kept in
a parent (CHILDREN), Looker's checks on every write (required fields, references, uniqueness,
built-in objects), and the side effects that cross families. `Store` combines them with one
mixin per content family; where a type needs more than the generic path, the path calls that
family's method by name.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lookervault.local.standin import query, rules, shapes, styles, types
from lookervault.local.standin.shapes import Json
from lookervault.local.standin.store.access import AccessMixin
from lookervault.local.standin.store.attribute_values import AttributeValuesMixin
from lookervault.local.standin.store.boards import BoardsMixin
from lookervault.local.standin.store.dashboards import DashboardsMixin
from lookervault.local.standin.store.favorites import FavoritesMixin
from lookervault.local.standin.store.folders import FoldersMixin
from lookervault.local.standin.store.indexes import Table
from lookervault.local.standin.store.lookml_dashboards import LookmlMixin
from lookervault.local.standin.store.queries import QueriesMixin
from lookervault.local.standin.store.schedules import (
    SchedulesMixin,
    alerts_in_scope,
    plans_in_scope,
)
from lookervault.local.standin.store.styles import StylesMixin
from lookervault.local.standin.store.tables import (
    CHILDREN,
    Delivery,
    child_writable,
    now_iso,
    projected,
    require_object,
    token,
)
from lookervault.local.standin.store.users import UsersMixin
from lookervault.local.standin.types import TYPES
from lookervault.local.standin.wire import ApiError, ErrorDetail, not_found, validation_failed


class Store(
    AttributeValuesMixin,
    StylesMixin,
    LookmlMixin,
    FoldersMixin,
    UsersMixin,
    DashboardsMixin,
    BoardsMixin,
    SchedulesMixin,
    QueriesMixin,
    AccessMixin,
    FavoritesMixin,
):
    """The whole store: the generic operations here, each family's own in its mixin, the
    tables and the lock they share in `Tables`."""

    # ---- reading ---------------------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        with self._lock:
            return {name: len(self._objects[name]) for name in types.CONTENT_TYPES}

    def index_drift(self) -> list[str]:
        """Indexes that no longer match their table, as "type.index" (none unless a write
        went around a table)."""
        with self._lock:
            return [
                f"{name}.{index}"
                for name, table in self._objects.items()
                if isinstance(table, Table)
                for index in table.drift()
            ]

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
        return projected(rendered, fields)

    def search(
        self, type_name: str, params: Mapping[str, str], caller_id: str, *, search: bool
    ) -> list[Json]:
        """A list or search call: scope, filters, sorts, paging and the fields projection."""
        filters = dict(params)
        with self._lock:
            scoped = self._scoped(type_name, filters, caller_id, search=search)
            candidates = list(filter(query.matcher(filters), scoped))
            ordered = query.sort(candidates, params.get("sorts"), types.id_key(type_name))
            paged = query.page(ordered, params)
            rendered = [self._render(type_name, obj, detail=False) for obj in paged]
        return [projected(obj, params.get("fields")) for obj in rendered]

    def _scoped(
        self, type_name: str, filters: dict[str, str], caller_id: str, *, search: bool
    ) -> list[Json]:
        """Objects a call can see before its search filters apply (Looker's defaults)."""
        objects = self._table(type_name)
        if TYPES[type_name].soft_deletable:
            wanted = filters.pop("deleted", "false") if search else "false"
            return [obj for obj in objects if str(obj["deleted"]).lower() == wanted.lower()]
        if type_name == "scheduled_plans":
            return plans_in_scope(objects, filters, caller_id)
        if type_name == "alerts":
            return alerts_in_scope(objects, filters, caller_id)
        if type_name == "users" and "group_id" in filters:
            filters["group_ids"] = filters.pop("group_id")
        if type_name == "boards" and "creator_id" in filters:
            filters["user_id"] = filters.pop("creator_id")
        if type_name == "boards" and not self.answers.trashed_boards_listed:
            return [board for board in objects if board["deleted_at"] is None]
        if type_name == "content_favorites":
            return self._favorites_in_scope(filters, caller_id)
        if type_name == "themes":
            return self._themes_in_scope(objects, filters)
        return objects

    def _render(self, type_name: str, obj: Json, *, detail: bool) -> Json:
        """The object as the API returns it: related objects embedded, list-only keys left out."""
        if type_name == "content_metadata":
            return self._content_meta(obj)
        out = dict(obj)
        if not detail:
            for key in TYPES[type_name].list_omits:
                out.pop(key, None)
        if type_name == "dashboards" and detail:
            out["dashboard_elements"] = [self._element(e) for e in obj["dashboard_elements"]]
            out["dashboard_layouts"] = [self._layout(obj, lay) for lay in obj["dashboard_layouts"]]
        elif type_name == "looks" and detail:
            out["query"] = self._objects["queries"].get(obj["query_id"] or "")
        elif type_name == "boards":
            out["board_sections"] = [self._section(s) for s in obj["board_sections"]]
        elif type_name == "roles":
            out["permission_set"] = self._objects["permission_sets"].get(obj["permission_set_id"])
            out["model_set"] = self._objects["model_sets"].get(obj["model_set_id"])
        elif type_name == "scheduled_plans":
            out["user"] = self._user_public(obj["user_id"])
        elif type_name == "alerts":
            owner = self._objects["users"].get(obj["owner_id"])
            out["owner_display_name"] = owner["display_name"] if owner else None
        elif type_name == "content_favorites":
            out.update(self._favorite_content(obj))
        return {key: value for key, value in out.items() if value is not None or key in obj}

    # ---- writing top-level objects ---------------------------------------------------------

    def create(self, type_name: str, body: Any, caller_id: str) -> Json:
        body = require_object(body)
        with self._lock:
            table = self._table_dict(type_name)
            obj = types.blank(type_name)
            obj.update({k: v for k, v in body.items() if k in obj and types.writable(type_name, k)})
            self._validate(type_name, body, None, obj)
            key = types.id_key(type_name)
            if key == "id":
                obj["id"] = self.new_id(type_name)
            stamp = now_iso()
            for name in ("created_at", "updated_at"):
                if name in obj:
                    obj[name] = stamp
            # Looker (Google Cloud core) users sign in through Google: no email login is made
            # there (UNCONFIRMED; its email-credential calls are deniable).
            emails = type_name == "users" and not self.answers.google_cloud_core
            credentials = body.get("credentials_email") if emails else None
            if isinstance(credentials, dict) and credentials.get("email"):
                self._check_email_free(str(credentials["email"]), None)
            self._on_create(type_name, obj, caller_id, stamp)
            table[obj[key]] = obj
            if isinstance(credentials, dict) and credentials.get("email"):
                self.write_credentials_email(obj["id"], credentials, create=True)
                obj = table[obj[key]]
            if type_name == "folders":
                self._bump("folders", obj["parent_id"], "child_count", 1)
            if type_name == "scheduled_plans" and obj["run_once"]:
                self.deliveries.append(Delivery("scheduled_plan_created", obj["id"]))
            return self._render(type_name, obj, detail=True)

    def update(self, type_name: str, object_id: str, body: Any, caller_id: str) -> Json:
        body = require_object(body)
        with self._lock:
            table = self._table_dict(type_name)
            old = table.get(object_id)
            if old is None:
                raise not_found()
            changes = {k: v for k, v in body.items() if k in old and types.writable(type_name, k)}
            new = {**old, **changes}
            self._validate(type_name, body, old, new)
            stamp = now_iso()
            if "updated_at" in new:
                new["updated_at"] = stamp
            if "last_updater_id" in new:
                new["last_updater_id"] = caller_id
            if TYPES[type_name].soft_deletable and "deleted" in changes:
                deleted = bool(changes["deleted"])
                new["deleted_at"] = (old["deleted_at"] or stamp) if deleted else None
                new["deleter_id"] = (old["deleter_id"] or caller_id) if deleted else None
            if type_name == "scheduled_plans":
                self._on_plan_write(new, body)
            if type_name == "color_collections":
                styles.with_palette_ids(new)
            new_key = new[types.id_key(type_name)]
            if new_key != object_id:
                del table[object_id]
            table[new_key] = new
            if type_name == "folders" and new["parent_id"] != old["parent_id"]:
                self._bump("folders", old["parent_id"], "child_count", -1)
                self._bump("folders", new["parent_id"], "child_count", 1)
            if type_name == "scheduled_plans" and body.get("run_once"):
                self.deliveries.append(Delivery("scheduled_plan_updated", new["id"]))
            return self._render(type_name, new, detail=True)

    def replace(self, type_name: str, object_id: str, body: Any, caller_id: str) -> Json:
        """PUT: every writable key comes from the body (missing ones go back to defaults)."""
        body = require_object(body)
        with self._lock:
            old = self._table_dict(type_name).get(object_id)
            if old is None:
                raise not_found()
            missing = [
                ErrorDetail(name, "missing", "This field is required.")
                for name in TYPES[type_name].required
                if body.get(name) in (None, "", [])
            ]
            if missing:
                raise validation_failed(missing)
            fresh = {
                k: v for k, v in types.blank(type_name).items() if types.writable(type_name, k)
            }
            return self.update(type_name, object_id, {**fresh, **body}, caller_id)

    def patch_alert(self, alert_id: str, body: Any, caller_id: str) -> Json:
        """AlertPatch lets every field be null: a required one sent as null is refused as
        missing, like anywhere else; any other null changes nothing."""
        body = require_object(body)
        with self._lock:
            if alert_id not in self._objects["alerts"]:
                raise not_found()
            nulled = [
                name for name in TYPES["alerts"].required if name in body and body[name] is None
            ]
            if nulled:
                raise validation_failed(
                    [ErrorDetail(name, "missing", "This field is required.") for name in nulled]
                )
            changes = {k: v for k, v in body.items() if v is not None}
            return self.update("alerts", alert_id, changes, caller_id)

    def delete(self, type_name: str, object_id: str) -> None:
        with self._lock:
            table = self._table_dict(type_name)
            obj = table.get(object_id)
            if obj is None:
                raise not_found()
            if type_name == "folders":
                self._refuse_folder_delete(obj)
            self._refuse_built_in(type_name, obj, deleting=True)
            del table[object_id]
            self._on_delete(type_name, obj)

    # ---- checks on top-level objects -------------------------------------------------------

    def _validate(self, type_name: str, body: Json, old: Json | None, new: Json) -> None:
        """Required fields (on create), references, uniqueness and the type's own rules."""
        errors: list[ErrorDetail] = []
        if old is None:
            errors += [
                ErrorDetail(name, "missing", "This field is required.")
                for name in TYPES[type_name].required
                if body.get(name) is None or body.get(name) == "" or body.get(name) == []
            ]
        for name, target in TYPES[type_name].references.items():
            value = body.get(name)
            if value not in (None, "") and not self._exists(target, str(value)):
                errors.append(ErrorDetail(name, "invalid", f"No {target[:-1]} with id {value}"))
        own = old[types.id_key(type_name)] if old else None
        for name in TYPES[type_name].unique:
            holders = self._indexed(type_name).index(name).ids(body[name]) if body.get(name) else []
            if any(holder != own for holder in holders):
                message = f"{name.capitalize()} is already taken."
                errors.append(ErrorDetail(name, "already_exists", message))
        if old is not None:
            self._refuse_built_in(type_name, old)
        errors += self._type_rules(type_name, body, old, new)
        if errors:
            raise validation_failed(errors)
        if type_name == "dashboards":
            self._settle_slug(body, old, new)

    def _type_rules(
        self, type_name: str, body: Json, old: Json | None, new: Json
    ) -> list[ErrorDetail]:
        placed = ("title", "folder_id", "deleted")
        soft = TYPES[type_name].soft_deletable
        moved = soft and (old is None or any(new[k] != old[k] for k in placed))
        if moved and self._title_taken(type_name, new):
            noun = "Dashboard" if type_name == "dashboards" else "Look"
            message = f"{noun} with this title already exists."
            return [ErrorDetail(rules.TITLE_TAKEN_FIELD, "already_exists", message)]
        if type_name == "folders":
            return self._folder_errors(old, new)
        if type_name == "scheduled_plans":
            return rules.plan_errors(body, new, for_create=old is None)
        if type_name == "boards":
            known = {s["id"] for s in new["board_sections"]}
            new["section_order"] = new["section_order"] or []
            errors = _order_errors("section_order", new["section_order"], known)
            return errors + rules.trash_errors(new)
        if type_name == "user_attributes":
            return _allowlist_errors(body, old)
        if type_name == "themes":
            return self._theme_errors(body, old, new)
        return []

    def _title_taken(self, type_name: str, obj: Json) -> bool:
        """Live dashboards (looks) in one folder have distinct titles; trashed ones do not count."""
        if obj["deleted"]:
            return False
        holders = self._indexed(type_name).index("title").ids((obj["folder_id"], obj["title"]))
        return any(holder != obj["id"] for holder in holders)

    def _refuse_built_in(self, type_name: str, obj: Json, *, deleting: bool = False) -> None:
        protected = TYPES[type_name].built_in
        if protected and protected.is_built_in(obj):
            status = protected.status
            # delete_user_attribute documents no 422: its refusal is a 400.
            raise ApiError(400 if deleting and status == 422 else status, protected.message)

    # ---- side effects ----------------------------------------------------------------------

    def _on_create(self, type_name: str, obj: Json, caller_id: str, stamp: str) -> None:
        """Side effects Looker has on create: owners, a default layout, a personal folder."""
        if type_name in ("dashboards", "looks", "boards") and not obj.get("user_id"):
            obj["user_id"] = caller_id
        if type_name in types.CONTENT_META_TARGETS:
            self._add_content_metadata(type_name, obj)
        if type_name == "dashboards":
            self._on_dashboard_create(obj)
        elif type_name == "looks":
            obj["short_url"] = f"/x/{token(22)}"
        elif type_name == "folders":
            self._on_folder_create(obj, caller_id)
        elif type_name == "scheduled_plans":
            self._on_plan_create(obj, caller_id)
        elif type_name == "color_collections":
            self._on_collection_create(obj)
        elif type_name == "users":
            self._on_user_create(obj, stamp)
            self._add_content_metadata(
                "folders", self._objects["folders"][obj["personal_folder_id"]]
            )

    def _on_delete(self, type_name: str, obj: Json) -> None:
        """Keep counters, memberships and references true after a delete."""
        if type_name in types.CONTENT_META_TARGETS:
            self._forget_content({obj["content_metadata_id"]})
        if type_name == "folders":
            self._bump("folders", obj["parent_id"], "child_count", -1)
            subfolders = self._delete_folder_contents(obj["id"])
            self._forget_content({f["content_metadata_id"] for f in subfolders})
        elif type_name in ("users", "groups", "roles", "user_attributes"):
            self._unlink_memberships(type_name, obj)
        elif type_name == "color_collections":
            self._forget_collection(obj["id"])
        elif type_name == "themes":
            self._forget_theme(obj)
        if type_name in ("users", "groups"):
            key = "user_id" if type_name == "users" else "group_id"
            self._drop_access(lambda entry: entry[key] == obj["id"])
        if type_name == "users":
            self._drop_favorites(lambda favorite: favorite["user_id"] == obj["id"])
        elif TYPES[type_name].soft_deletable:
            self._drop_dependents(type_name, {obj["id"]})
            if type_name == "dashboards":
                self._drop_alerts({e["id"] for e in obj["dashboard_elements"]})

    def _forget_content(self, meta_ids: set[str]) -> None:
        """Content deleted for good takes its content metadata, access entries and
        favourites with it; trashed content keeps them."""
        self._drop_content_metadata(meta_ids)
        self._drop_favorites(lambda favorite: favorite["content_metadata_id"] in meta_ids)

    def _drop_dependents(self, type_name: str, ids: set[str]) -> None:
        """Schedules and board items that point at hard-deleted content go with it."""
        key = "dashboard_id" if type_name == "dashboards" else "look_id"
        self._drop_plans(key, ids)
        self._drop_board_items(key, ids)

    # ---- parts of dashboards and boards ----------------------------------------------------

    def create_child(self, child_type: str, body: Any) -> Json:
        body = require_object(body)
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
            child.update({k: v for k, v in body.items() if k in child and child_writable(k)})
            child["id"] = self.new_id(child_type)
            child[parent_key] = parent["id"]
            if child_type == "dashboard_layouts":
                child["active"] = bool(body.get("active"))
            self._check_child(child_type, parent, body, child, child_id=None)
            stamp = now_iso()
            for name in ("created_at", "updated_at"):
                if name in child:
                    child[name] = stamp
            new_parent = {**parent, child_type: [*parent[child_type], child]}
            if child_type == "dashboard_elements":
                new_parent = self._on_new_element(new_parent, child)
            elif child_type == "dashboard_layouts":
                new_parent = self._with_new_layout(new_parent, child, body)
            elif child_type == "board_sections":
                new_parent["section_order"] = [*parent["section_order"], child["id"]]
            self._objects[parent_type][parent["id"]] = new_parent
            return self._render_child(child_type, new_parent, child)

    def get_child(self, child_type: str, child_id: str, fields: str | None) -> Json:
        with self._lock:
            parent, child = self._find_child(child_type, child_id)
            rendered = self._render_child(child_type, parent, child)
        return projected(rendered, fields)

    def update_child(self, child_type: str, child_id: str, body: Any) -> Json:
        body = require_object(body)
        with self._lock:
            parent, child = self._find_child(child_type, child_id)
            changes = {k: v for k, v in body.items() if k in child and child_writable(k)}
            changes.pop(CHILDREN[child_type][1], None)
            if child_type == "dashboard_layouts" and not self.layout_tabs:
                changes = {k: v for k, v in changes.items() if k not in shapes.TAB_KEYS}
            new_child = {**child, **changes}
            self._check_child(child_type, parent, body, new_child, child_id=child_id)
            if "updated_at" in new_child:
                new_child["updated_at"] = now_iso()
            siblings = [new_child if c["id"] == child_id else c for c in parent[child_type]]
            new_parent = {**parent, child_type: siblings}
            if child_type == "dashboard_layouts" and changes.get("active"):
                new_parent[child_type] = [
                    {**c, "active": c["id"] == child_id} for c in new_parent[child_type]
                ]
            self._store_parent(child_type, new_parent)
            return self._render_child(child_type, new_parent, new_child)

    def delete_child(self, child_type: str, child_id: str) -> None:
        with self._lock:
            parent, child = self._find_child(child_type, child_id)
            if child_type == "dashboard_layouts" and child["active"]:
                raise validation_failed(
                    [ErrorDetail("active", "invalid", "The active layout cannot be deleted.")]
                )
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
                self._drop_alerts({child_id})
            elif child_type == "board_sections":
                new_parent["section_order"] = [s for s in parent["section_order"] if s != child_id]
            self._store_parent(child_type, new_parent)

    def _store_parent(self, child_type: str, parent: Json) -> None:
        self._objects[CHILDREN[child_type][0]][parent["id"]] = parent

    def _check_child(
        self, child_type: str, parent: Json, body: Json, child: Json, child_id: str | None
    ) -> None:
        errors: list[ErrorDetail] = []
        if child_type == "dashboard_elements":
            errors = rules.element_errors(body, child, self._exists)
            if not errors and child_id is not None and not self.answers.look_over_result_maker:
                old = next(e for e in parent[child_type] if e["id"] == child_id)
                errors = rules.look_over_result_maker(body, old)
            if not errors:
                self._settle_element(body, child, child_id)
        elif child_type == "dashboard_filters":
            titles = {f["title"] for f in parent["dashboard_filters"] if f["id"] != child_id}
            errors = rules.filter_errors(child, titles)
        elif child_type == "board_sections":
            known = {i["id"] for i in child["board_items"]}
            child["item_order"] = child["item_order"] or []
            errors = _order_errors("item_order", child["item_order"], known)
            errors += rules.trash_errors(child)
        if errors:
            raise validation_failed(errors)

    def _render_child(self, child_type: str, parent: Json, child: Json) -> Json:
        if child_type == "dashboard_elements":
            return self._element(child)
        if child_type == "dashboard_layouts":
            return self._layout(parent, child)
        if child_type == "board_sections":
            return self._section(child)
        return dict(child)


def _allowlist_errors(body: Json, old: Json | None) -> list[ErrorDetail]:
    """`hidden_value_domain_whitelist`: "Once set, cannot be edited" (spec `UserAttribute`)."""
    key = "hidden_value_domain_whitelist"
    if old is None or old[key] is None or key not in body or body[key] == old[key]:
        return []
    return [ErrorDetail(key, "invalid", "Once set, the domain allowlist cannot be edited.")]


def _order_errors(key: str, order: list[str], known: set[str]) -> list[ErrorDetail]:
    unknown = [i for i in order if i not in known]
    if unknown:
        return [ErrorDetail(key, "invalid", f"Unknown ids in {key}: {', '.join(unknown)}")]
    return []
