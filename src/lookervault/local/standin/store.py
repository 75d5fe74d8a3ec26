"""The stand-in's content: seeded objects plus create/update/delete with Looker's rules.

Objects are replaced, never mutated in place, so a response being serialised in one thread
never sees a half-applied update from another. One lock guards the id sequences and indexes.
Request bodies reach the store already checked against the spec's request schema (api.py);
the store applies what Looker checks beyond types: required fields, references, uniqueness,
and the rules in rules.py.
"""

from __future__ import annotations

import functools
import secrets
import string
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from lookervault.local.standin import query, rules, shapes
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
    "scheduled_plans": {
        "user_id": "users",
        "dashboard_id": "dashboards",
        "look_id": "looks",
        "query_id": "queries",
        "lookml_dashboard_id": "lookml_dashboards",
    },
    "alerts": {"owner_id": "users", "dashboard_element_id": "dashboard_elements"},
}
"""Keys that name another object, and its table. A table the stand-in does not model
(LookML dashboards) holds nothing, so any id there is dangling."""

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

UNIQUE: dict[str, tuple[str, ...]] = {
    "groups": ("name",),
    "roles": ("name",),
    "permission_sets": ("name",),
    "model_sets": ("name",),
    "user_attributes": ("name", "label"),
    "lookml_models": ("name",),
}
"""Keys whose value no two objects of a type share."""

BUILT_IN = {
    "permission_sets": ("built_in", 405, "Resource Can't Be Modified"),
    "model_sets": ("built_in", 405, "Resource Can't Be Modified"),
    "user_attributes": ("is_system", 422, "System user attributes cannot be changed or deleted."),
}
"""Objects Looker ships and protects: the flag that marks them, the status and message of the
refusal. The spec documents 405 "Resource Can't Be Modified" for update and delete of
permission and model sets; for user attributes it documents no such status (422 chosen)."""

ALREADY_EXISTS = "The resource already exists."
SLUG_ALPHABET = string.ascii_letters + string.digits


@dataclass(frozen=True)
class Delivery:
    """Something that would have mailed a real person on a real Looker instance."""

    kind: str
    """"scheduled_plan_run_once", "scheduled_plan_run_once_by_id", "scheduled_plan_created",
    "scheduled_plan_updated" (both with run_once: true) or "password_reset_email"."""
    target: str
    """The plan id (or its name for an unsaved run_once) or the user id."""
    detail: dict[str, Any] = field(default_factory=dict)


def now_iso() -> str:
    return iso(datetime.now(UTC))


def _token(length: int) -> str:
    return "".join(secrets.choice(SLUG_ALPHABET) for _ in range(length))


class Store:
    """Objects per type, in id order, behind one lock."""

    def __init__(self, seeded: Seeded) -> None:
        self._objects = seeded.objects
        self._next_ids = dict(seeded.next_ids)
        self._lock = threading.RLock()
        self._parents: dict[str, dict[str, str]] = {}
        self._queries_by_key = {rules.query_key(q): q["id"] for q in self._table("queries")}
        self.deliveries: list[Delivery] = []

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

    def query_for_slug(self, slug: str, fields: str | None) -> Json:
        with self._lock:
            found = next((q for q in self._table("queries") if q["slug"] == slug), None)
            if found is None:
                raise not_found()
            return _project(dict(found), fields)

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

    def user_roles(self, user_id: str, fields: str | None) -> list[Json]:
        with self._lock:
            user = self._objects["users"].get(user_id)
            if user is None:
                raise not_found()
            roles = [self._objects["roles"][r] for r in user["role_ids"]]
            return [_project(self._render("roles", r, detail=True), fields) for r in roles]

    def credentials_email(self, user_id: str, fields: str | None) -> Json:
        with self._lock:
            user = self._objects["users"].get(user_id)
            if user is None or user["credentials_email"] is None:
                raise not_found()
            return _project(dict(user["credentials_email"]), fields)

    def dashboard_children(
        self, dashboard_id: str, child_type: str, fields: str | None
    ) -> list[Json]:
        with self._lock:
            dashboard = self._objects["dashboards"].get(dashboard_id)
            if dashboard is None:
                raise not_found()
            rendered = self._render("dashboards", dashboard, detail=True)[child_type]
        return [_project(child, fields) for child in rendered]

    def layout_components(self, layout_id: str, fields: str | None) -> list[Json]:
        with self._lock:
            parent, layout = self._find_child("dashboard_layouts", layout_id)
            return [
                _project(self._component(parent, c), fields)
                for c in layout["dashboard_layout_components"]
            ]

    def get_component(self, component_id: str, fields: str | None) -> Json:
        with self._lock:
            dashboard, _, component = self._find_component(component_id)
            return _project(self._component(dashboard, component), fields)

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

    def _exists(self, table: str, object_id: str) -> bool:
        if table == "dashboard_elements":
            return object_id in self._parent_index(table)
        return object_id in self._objects.get(table, {})

    def _render(self, type_name: str, obj: Json, *, detail: bool) -> Json:
        """The object as the API returns it: related objects embedded, list-only keys left out."""
        out = dict(obj)
        if not detail:
            for key in shapes.LIST_OMITS.get(type_name, ()):
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
        return {key: value for key, value in out.items() if value is not None or key in obj}

    def _element(self, element: Json) -> Json:
        """A tile with its look or query embedded and its result maker, as Looker shows them."""
        out = dict(element)
        stored_maker = out.pop("result_maker")
        look = self._objects["looks"].get(element["look_id"] or "")
        if look is not None:
            out["look"] = self._render("looks", look, detail=True)
        source = self._objects["queries"].get(element["query_id"] or "")
        if source is not None:
            out["query"] = source
        if look is not None and source is None:
            source = self._objects["queries"].get(look["query_id"] or "")
        if element["type"] in rules.CONTENT_FREE_ELEMENTS or stored_maker is None:
            out["result_maker"] = None
            return out
        out["result_maker"] = {
            "id": element["result_maker_id"],
            "dynamic_fields": source["dynamic_fields"] if source else None,
            "filterables": [dict(f) for f in stored_maker["filterables"]],
            "sorts": list(source["sorts"]) if source else None,
            "merge_result_id": element["merge_result_id"],
            "total": bool(source["total"]) if source else False,
            "query_id": source["id"] if source else None,
            "sql_query_id": None,
            "query": source,
            "vis_config": source["vis_config"] if source else None,
        }
        return out

    def _layout(self, dashboard: Json, layout: Json) -> Json:
        return {
            **layout,
            "dashboard_title": dashboard["title"],
            "dashboard_layout_components": [
                self._component(dashboard, c) for c in layout["dashboard_layout_components"]
            ],
        }

    def _component(self, dashboard: Json, component: Json) -> Json:
        """A tile's place on a layout; its title is the tile's current title."""
        element = next(
            (
                e
                for e in dashboard["dashboard_elements"]
                if e["id"] == component["dashboard_element_id"]
            ),
            None,
        )
        out = dict(component)
        if element is not None:
            out["element_title"] = element["title"] or element["title_text"]
            out["element_title_hidden"] = element["title_hidden"]
        return out

    def _section(self, section: Json) -> Json:
        return {**section, "board_items": [self._board_item(i) for i in section["board_items"]]}

    def _board_item(self, item: Json) -> Json:
        """A board item shows its target's title and address."""
        out = dict(item)
        for key, table, path in (
            ("dashboard_id", "dashboards", "dashboards"),
            ("look_id", "looks", "looks"),
        ):
            target = self._objects[table].get(item[key] or "")
            if target is not None:
                out.update(
                    title=target["title"],
                    description=target["description"],
                    url=f"/{path}/{target['id']}",
                )
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

    # ---- writing top-level objects --------------------------------------------------------

    def create(self, type_name: str, body: Any, caller_id: str) -> Json:
        body = _require_object(body)
        with self._lock:
            table = self._table_dict(type_name)
            obj = shapes.blank(type_name)
            obj.update(
                {k: v for k, v in body.items() if k in obj and shapes.writable(type_name, k)}
            )
            self._validate(type_name, body, None, obj)
            key = shapes.id_key(type_name)
            if key == "id":
                obj["id"] = self.new_id(type_name)
            stamp = now_iso()
            for name in ("created_at", "updated_at"):
                if name in obj:
                    obj[name] = stamp
            credentials = body.get("credentials_email") if type_name == "users" else None
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

    def create_query(self, body: Any) -> Json:
        """Queries are immutable and deduplicated: an identical definition returns the
        existing query (spec create_query)."""
        body = _require_object(body)
        with self._lock:
            obj = shapes.blank("queries")
            obj.update(
                {k: v for k, v in body.items() if k in obj and shapes.writable("queries", k)}
            )
            self._validate("queries", body, None, obj)
            existing = self._queries_by_key.get(rules.query_key(obj))
            if existing is not None:
                return dict(self._objects["queries"][existing])
            obj["id"] = self.new_id("queries")
            taken = {q["client_id"] for q in self._table("queries")} | {None, ""}
            if obj["client_id"] in taken:
                obj["client_id"] = _token(22)
            obj["slug"] = self._free_token(7, {q["slug"] for q in self._table("queries")})
            self._objects["queries"][obj["id"]] = obj
            self._queries_by_key[rules.query_key(obj)] = obj["id"]
            return dict(obj)

    def update(self, type_name: str, object_id: str, body: Any, caller_id: str) -> Json:
        body = _require_object(body)
        with self._lock:
            table = self._table_dict(type_name)
            old = table.get(object_id)
            if old is None:
                raise not_found()
            changes = {k: v for k, v in body.items() if k in old and shapes.writable(type_name, k)}
            new = {**old, **changes}
            self._validate(type_name, body, old, new)
            stamp = now_iso()
            if "updated_at" in new:
                new["updated_at"] = stamp
            if "last_updater_id" in new:
                new["last_updater_id"] = caller_id
            if type_name in shapes.SOFT_DELETABLE and "deleted" in changes:
                deleted = bool(changes["deleted"])
                new["deleted_at"] = (old["deleted_at"] or stamp) if deleted else None
                new["deleter_id"] = (old["deleter_id"] or caller_id) if deleted else None
            if type_name == "scheduled_plans":
                self._on_plan_write(new, body)
            new_key = new[shapes.id_key(type_name)]
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
        body = _require_object(body)
        with self._lock:
            old = self._table_dict(type_name).get(object_id)
            if old is None:
                raise not_found()
            missing = [
                ErrorDetail(name, "missing", "This field is required.")
                for name in REQUIRED.get(type_name, ())
                if body.get(name) in (None, "", [])
            ]
            if missing:
                raise validation_failed(missing)
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
            if type_name == "folders" and obj["is_personal"]:
                raise ApiError(422, "A personal folder cannot be deleted")
            self._refuse_built_in(type_name, obj, deleting=True)
            del table[object_id]
            self._on_delete(type_name, obj)

    def run_once(self, plan_id: str | None, body: Any, caller_id: str) -> Json:
        """Deliver a plan now: nothing is stored, one delivery is recorded."""
        body = _require_object(body if body is not None else {})
        with self._lock:
            if plan_id is None:
                plan = shapes.blank("scheduled_plans")
                plan.update(
                    {
                        k: v
                        for k, v in body.items()
                        if k in plan and shapes.writable("scheduled_plans", k)
                    }
                )
                self._validate("scheduled_plans", body, None, plan)
                plan.update(id=self.new_id("scheduled_plans"), user_id=plan["user_id"] or caller_id)
                plan["title"] = plan["name"]
                self._on_plan_write(plan, body)
                self.deliveries.append(Delivery("scheduled_plan_run_once", str(plan["name"])))
            else:
                stored = self._objects["scheduled_plans"].get(plan_id)
                if stored is None:
                    raise not_found()
                changes = {
                    k: v
                    for k, v in body.items()
                    if k in stored and shapes.writable("scheduled_plans", k)
                }
                plan = {**stored, **changes}
                self._validate("scheduled_plans", body, stored, plan)
                self._on_plan_write(plan, body)
                self.deliveries.append(Delivery("scheduled_plan_run_once_by_id", plan_id))
            return self._render("scheduled_plans", plan, detail=True)

    # ---- users, groups, attributes --------------------------------------------------------

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
            for given in body:
                if str(given.get("group_id") or "") not in self._objects["groups"]:
                    raise validation_failed([ErrorDetail("group_id", "missing", "No such group")])
            table = self._objects["user_attribute_group_values"]
            for value_id in [k for k, v in table.items() if v["user_attribute_id"] == attribute_id]:
                del table[value_id]
            created = []
            for rank, given in enumerate(body, 1):
                value = shapes.blank("user_attribute_group_values")
                value.update(
                    id=self.new_id("user_attribute_group_values"),
                    group_id=str(given["group_id"]),
                    user_attribute_id=attribute_id,
                    rank=rank,
                    value=given.get("value"),
                )
                table[value["id"]] = value
                created.append(dict(value))
            return created

    def write_credentials_email(self, user_id: str, body: Any, create: bool) -> Json:
        """Set a user's email login; the user's read-only `email` comes from it."""
        body = _require_object(body)
        with self._lock:
            user = self._objects["users"].get(user_id)
            if user is None:
                raise not_found()
            old = user["credentials_email"]
            if create and old is not None:
                raise ApiError(409, ALREADY_EXISTS)
            if not create and old is None:
                raise not_found()
            email = body.get("email", old["email"] if old else None)
            if not email:
                raise validation_failed(
                    [ErrorDetail("email", "missing", "This field is required.")]
                )
            self._check_email_free(str(email), user_id)
            credentials = dict(old) if old else shapes.credentials_email(now_iso())
            credentials["email"] = email
            if body.get("forced_password_reset_at_next_login") is not None:
                credentials["forced_password_reset_at_next_login"] = body[
                    "forced_password_reset_at_next_login"
                ]
            self._objects["users"][user_id] = {
                **user,
                "email": email,
                "credentials_email": credentials,
            }
            return dict(credentials)

    def _check_email_free(self, email: str, user_id: str | None) -> None:
        for other in self._table("users"):
            if other["id"] != user_id and (other["email"] or "").lower() == email.lower():
                raise validation_failed(
                    [ErrorDetail("email", "already_exists", "Email is already taken.")]
                )

    def password_reset(self, user_id: str, *, send: bool) -> Json:
        """A reset token; `send` also mails it (recorded as a delivery)."""
        with self._lock:
            user = self._objects["users"].get(user_id)
            if user is None or user["credentials_email"] is None:
                raise not_found()
            credentials = {
                **user["credentials_email"],
                "password_reset_url": f"/password/reset/{_token(32)}",
                "password_reset_url_expired": False,
            }
            self._objects["users"][user_id] = {**user, "credentials_email": credentials}
            if send:
                self.deliveries.append(
                    Delivery("password_reset_email", user_id, {"email": credentials["email"]})
                )
            return dict(credentials)

    def set_user_roles(self, user_id: str, body: Any, fields: str | None) -> list[Json]:
        """Replace the user's whole role list."""
        if not isinstance(body, list) or not all(isinstance(r, str) for r in body):
            raise ApiError(400, "Expected a JSON array of role ids")
        with self._lock:
            user = self._objects["users"].get(user_id)
            if user is None:
                raise not_found()
            unknown = [r for r in body if r not in self._objects["roles"]]
            if unknown:
                raise validation_failed(
                    [ErrorDetail("role_ids", "invalid", f"No role with id {r}") for r in unknown]
                )
            role_ids = sorted(set(body), key=_id_order)
            self._objects["users"][user_id] = {**user, "role_ids": role_ids}
        return self.user_roles(user_id, fields)

    # ---- parts of dashboards and boards ---------------------------------------------------

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
            if child_type == "dashboard_layouts":
                child["active"] = bool(body.get("active"))
            self._check_child(child_type, parent, body, child, child_id=None)
            stamp = now_iso()
            for name in ("created_at", "updated_at"):
                if name in child:
                    child[name] = stamp
            new_parent = {**parent, child_type: [*parent[child_type], child]}
            if child_type == "dashboard_elements":
                new_parent["dashboard_layouts"] = [
                    self._with_component(layout, child) for layout in parent["dashboard_layouts"]
                ]
            elif child_type == "dashboard_layouts":
                new_parent = self._with_new_layout(new_parent, child)
            elif child_type == "board_sections":
                new_parent["section_order"] = [*parent["section_order"], child["id"]]
            self._objects[parent_type][parent["id"]] = new_parent
            self._parent_index(child_type)[child["id"]] = parent["id"]
            self._parents.pop("dashboard_layout_components", None)
            return self._render_child(child_type, new_parent, child)

    def get_child(self, child_type: str, child_id: str, fields: str | None) -> Json:
        with self._lock:
            parent, child = self._find_child(child_type, child_id)
            rendered = self._render_child(child_type, parent, child)
        return _project(rendered, fields)

    def update_child(self, child_type: str, child_id: str, body: Any) -> Json:
        body = _require_object(body)
        with self._lock:
            parent, child = self._find_child(child_type, child_id)
            changes = {k: v for k, v in body.items() if k in child and _child_writable(k)}
            changes.pop(CHILDREN[child_type][1], None)
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
            del self._parent_index(child_type)[child_id]
            self._parents.pop("dashboard_layout_components", None)
            self._parents.pop("board_items", None)

    def update_component(self, component_id: str, body: Any) -> Json:
        """Only a tile's place changes; which layout and tile it belongs to does not."""
        body = _require_object(body)
        with self._lock:
            dashboard, layout, component = self._find_component(component_id)
            movable = ("row", "column", "width", "height", "deleted")
            changes = {k: body[k] for k in movable if k in body}
            new_component = {**component, **changes}
            new_layout = {
                **layout,
                "dashboard_layout_components": [
                    new_component if c["id"] == component_id else c
                    for c in layout["dashboard_layout_components"]
                ],
            }
            new_dashboard = {
                **dashboard,
                "dashboard_layouts": [
                    new_layout if lay["id"] == layout["id"] else lay
                    for lay in dashboard["dashboard_layouts"]
                ],
            }
            self._objects["dashboards"][dashboard["id"]] = new_dashboard
            return self._component(new_dashboard, new_component)

    def create_board_item(self, body: Any) -> Json:
        body = _require_object(body)
        with self._lock:
            section_id = str(body.get("board_section_id") or "")
            if not section_id:
                raise validation_failed(
                    [ErrorDetail("board_section_id", "missing", "This field is required.")]
                )
            if section_id not in self._parent_index("board_sections"):
                raise validation_failed(
                    [ErrorDetail("board_section_id", "invalid", "No board section with that id")]
                )
            item = shapes.board_item()
            item.update({k: v for k, v in body.items() if k in item and _child_writable(k)})
            item.update(id=self.new_id("board_items"), board_section_id=section_id)
            self._check_board_item(item)

            def add(section: Json) -> Json:
                return {
                    **section,
                    "board_items": [*section["board_items"], item],
                    "item_order": [*section["item_order"], item["id"]],
                    "visible_item_order": [*section["visible_item_order"], item["id"]],
                }

            self._replace_section(section_id, add)
            self._parents.pop("board_items", None)
            return self._board_item(item)

    def get_board_item(self, item_id: str, fields: str | None) -> Json:
        with self._lock:
            _, item = self._find_board_item(item_id)
            return _project(self._board_item(item), fields)

    def update_board_item(self, item_id: str, body: Any) -> Json:
        body = _require_object(body)
        with self._lock:
            section, item = self._find_board_item(item_id)
            changes = {k: v for k, v in body.items() if k in item and _child_writable(k)}
            changes.pop("board_section_id", None)
            new_item = {**item, **changes}
            self._check_board_item(new_item)
            self._replace_section(
                section["id"],
                lambda s: {
                    **s,
                    "board_items": [
                        new_item if i["id"] == item_id else i for i in s["board_items"]
                    ],
                },
            )
            return self._board_item(new_item)

    def delete_board_item(self, item_id: str) -> None:
        with self._lock:
            section, _ = self._find_board_item(item_id)
            self._replace_section(section["id"], functools.partial(_without_item, item_id=item_id))
            self._parents.pop("board_items", None)

    # ---- children: lookup, checks, placement ----------------------------------------------

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

    def _find_component(self, component_id: str) -> tuple[Json, Json, Json]:
        """(dashboard, layout, component) for a layout component id."""
        index = self._parents.get("dashboard_layout_components")
        if index is None:
            index = {
                component["id"]: layout["id"]
                for dashboard in self._objects["dashboards"].values()
                for layout in dashboard["dashboard_layouts"]
                for component in layout["dashboard_layout_components"]
            }
            self._parents["dashboard_layout_components"] = index
        dashboard, layout = self._find_child("dashboard_layouts", index.get(component_id, ""))
        component = next(
            (c for c in layout["dashboard_layout_components"] if c["id"] == component_id), None
        )
        if component is None:
            raise not_found()
        return dashboard, layout, component

    def _find_board_item(self, item_id: str) -> tuple[Json, Json]:
        """(section, item) for a board item id."""
        index = self._parents.get("board_items")
        if index is None:
            index = {
                item["id"]: section["id"]
                for board in self._objects["boards"].values()
                for section in board["board_sections"]
                for item in section["board_items"]
            }
            self._parents["board_items"] = index
        _, section = self._find_child("board_sections", index.get(item_id, ""))
        item = next((i for i in section["board_items"] if i["id"] == item_id), None)
        if item is None:
            raise not_found()
        return section, item

    def _replace_section(self, section_id: str, change: Callable[[Json], Json]) -> None:
        board, _ = self._find_child("board_sections", section_id)
        sections = [change(s) if s["id"] == section_id else s for s in board["board_sections"]]
        self._objects["boards"][board["id"]] = {**board, "board_sections": sections}

    def _check_child(
        self, child_type: str, parent: Json, body: Json, child: Json, child_id: str | None
    ) -> None:
        errors: list[ErrorDetail] = []
        if child_type == "dashboard_elements":
            errors = rules.element_errors(body, child, self._exists)
            if not errors:
                self._settle_element(body, child, child_id)
        elif child_type == "dashboard_filters":
            titles = {f["title"] for f in parent["dashboard_filters"] if f["id"] != child_id}
            errors = rules.filter_errors(child, titles)
        elif child_type == "board_sections":
            known = {i["id"] for i in child["board_items"]}
            child["item_order"] = child["item_order"] or []
            errors = _order_errors("item_order", child["item_order"], known)
        if errors:
            raise validation_failed(errors)

    def _settle_element(self, body: Json, element: Json, element_id: str | None) -> None:
        """A tile's result maker: reused by id, or new when its data source changes; the
        `result_maker.filterables` sent are kept, an inline `query` is not created."""
        maker_id = body.get("result_maker_id")
        if maker_id and not any(body.get(name) for name in rules.DATA_SOURCES):
            source = self._element_with_maker(str(maker_id))
            if source is None:
                raise validation_failed(
                    [ErrorDetail("result_maker_id", "invalid", "No result maker with that id")]
                )
            for name in rules.DATA_SOURCES:
                element[name] = source[name]
        elif element_id is None or any(name in body for name in rules.DATA_SOURCES):
            element["result_maker_id"] = self.new_id("result_makers")
        if element["type"] in rules.CONTENT_FREE_ELEMENTS:
            element["result_maker_id"] = None
            element["result_maker"] = None
            return
        sent = body.get("result_maker") or {}
        if sent.get("filterables") is not None:
            element["result_maker"] = {"filterables": [_filterable(f) for f in sent["filterables"]]}
        elif element.get("result_maker") is None or any(
            name in body for name in rules.DATA_SOURCES
        ):
            element["result_maker"] = {"filterables": self._default_filterables(element)}

    def _element_with_maker(self, maker_id: str) -> Json | None:
        return next(
            (
                element
                for dashboard in self._objects["dashboards"].values()
                for element in dashboard["dashboard_elements"]
                if element["result_maker_id"] == maker_id
            ),
            None,
        )

    def _default_filterables(self, element: Json) -> list[Json]:
        """Looker derives a tile's filterables from its query; none listen to filters yet."""
        source = self._objects["queries"].get(element["query_id"] or "")
        look = self._objects["looks"].get(element["look_id"] or "")
        if source is None and look is not None:
            source = self._objects["queries"].get(look["query_id"] or "")
        if source is None:
            return []
        return [{"model": source["model"], "view": source["view"], "name": None, "listen": []}]

    def _check_board_item(self, item: Json) -> None:
        errors = []
        for name, table in (
            ("dashboard_id", "dashboards"),
            ("look_id", "looks"),
            ("lookml_dashboard_id", "lookml_dashboards"),
        ):
            value = item[name]
            if value and not self._exists(table, str(value)):
                errors.append(ErrorDetail(name, "invalid", f"No {table[:-1]} with id {value}"))
        if errors:
            raise validation_failed(errors)

    def _store_parent(self, child_type: str, parent: Json) -> None:
        self._objects[CHILDREN[child_type][0]][parent["id"]] = parent

    def _render_child(self, child_type: str, parent: Json, child: Json) -> Json:
        if child_type == "dashboard_elements":
            return self._element(child)
        if child_type == "dashboard_layouts":
            return self._layout(parent, child)
        if child_type == "board_sections":
            return self._section(child)
        return dict(child)

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

    def _with_new_layout(self, dashboard: Json, layout: Json) -> Json:
        """A new layout places every tile of its dashboard; an active one replaces the old."""
        for element in dashboard["dashboard_elements"]:
            layout.update(self._with_component(layout, element))
        layouts = dashboard["dashboard_layouts"]
        if layout["active"]:
            layouts = [
                {**lay, "active": lay["id"] == layout["id"]}
                if lay["id"] != layout["id"]
                else layout
                for lay in layouts
            ]
        else:
            layouts = [layout if lay["id"] == layout["id"] else lay for lay in layouts]
        return {**dashboard, "dashboard_layouts": layouts}

    def new_id(self, sequence: str) -> str:
        with self._lock:
            value = self._next_ids.get(sequence, 1)
            self._next_ids[sequence] = value + 1
            return str(value)

    def _free_token(self, length: int, taken: set[str]) -> str:
        while True:
            token = _token(length)
            if token not in taken:
                return token

    # ---- checks on top-level objects ------------------------------------------------------

    def _validate(self, type_name: str, body: Json, old: Json | None, new: Json) -> None:
        """Required fields (on create), references, uniqueness and the type's own rules."""
        errors: list[ErrorDetail] = []
        if old is None:
            errors += [
                ErrorDetail(name, "missing", "This field is required.")
                for name in REQUIRED.get(type_name, ())
                if body.get(name) is None or body.get(name) == "" or body.get(name) == []
            ]
        for name, target in REFERENCES.get(type_name, {}).items():
            value = body.get(name)
            if value not in (None, "") and not self._exists(target, str(value)):
                errors.append(ErrorDetail(name, "invalid", f"No {target[:-1]} with id {value}"))
        own = old[shapes.id_key(type_name)] if old else None
        for name in UNIQUE.get(type_name, ()):
            if body.get(name) and any(
                obj[name] == body[name] and obj[shapes.id_key(type_name)] != own
                for obj in self._table(type_name)
            ):
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
        soft = type_name in shapes.SOFT_DELETABLE
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
            return _order_errors("section_order", new["section_order"], known)
        return []

    def _title_taken(self, type_name: str, obj: Json) -> bool:
        """Live dashboards (looks) in one folder have distinct titles; trashed ones do not count."""
        if obj["deleted"]:
            return False
        return any(
            other["id"] != obj["id"]
            and not other["deleted"]
            and other["folder_id"] == obj["folder_id"]
            and other["title"] == obj["title"]
            for other in self._table(type_name)
        )

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

    def _settle_slug(self, body: Json, old: Json | None, new: Json) -> None:
        """A dashboard's slug is unique instance-wide, trashed dashboards included: a taken
        slug is refused (409 on create), a missing one is made."""
        wanted = body.get("slug")
        if wanted is None:
            if old is None:
                new["slug"] = self._free_token(22, {d["slug"] for d in self._table("dashboards")})
            return
        if wanted == "":
            raise validation_failed([ErrorDetail("slug", "invalid", "Slug must not be empty.")])
        own = old["id"] if old else None
        if any(d["slug"] == wanted and d["id"] != own for d in self._table("dashboards")):
            if old is None:
                raise ApiError(409, ALREADY_EXISTS)
            raise validation_failed(
                [ErrorDetail("slug", "already_exists", "Slug is already taken.")]
            )

    def _refuse_built_in(self, type_name: str, obj: Json, *, deleting: bool = False) -> None:
        protected = BUILT_IN.get(type_name)
        if protected and obj[protected[0]]:
            _, status, message = protected
            # delete_user_attribute documents no 422: its refusal is a 400.
            raise ApiError(400 if deleting and status == 422 else status, message)

    def _is_descendant(self, folder_id: str, ancestor_id: str) -> bool:
        current: str | None = folder_id
        while current is not None:
            if current == ancestor_id:
                return True
            current = self._objects["folders"].get(current, {}).get("parent_id")
        return False

    # ---- side effects ---------------------------------------------------------------------

    def _on_create(self, type_name: str, obj: Json, caller_id: str, stamp: str) -> None:
        """Side effects Looker has on create: owners, a default layout, a personal folder."""
        if type_name in ("dashboards", "looks", "boards") and not obj.get("user_id"):
            obj["user_id"] = caller_id
        if "content_metadata_id" in obj:
            obj["content_metadata_id"] = self.new_id("content_metadata")
        if type_name == "dashboards":
            layout = shapes.dashboard_layout()
            layout.update(id=self.new_id("dashboard_layouts"), dashboard_id=obj["id"])
            obj["dashboard_layouts"] = [layout]
            self._parents.pop("dashboard_layouts", None)
        elif type_name == "looks":
            obj["short_url"] = f"/x/{_token(22)}"
        elif type_name == "folders":
            obj["creator_id"] = caller_id
            parent = self._objects["folders"][obj["parent_id"]]
            obj["is_personal_descendant"] = (
                parent["is_personal"] or parent["is_personal_descendant"]
            )
        elif type_name == "scheduled_plans":
            obj["user_id"] = obj["user_id"] or caller_id
            obj["title"] = obj["name"]
            self._on_plan_write(obj, obj)
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
            default_groups = [g["id"] for g in self._table("groups") if g["include_by_default"]]
            obj["group_ids"] = sorted({*obj["group_ids"], *default_groups}, key=int)
            for group_id in default_groups:
                self._bump("groups", group_id, "user_count", 1)

    def _on_plan_write(self, plan: Json, body: Json) -> None:
        """Destinations given replace all of the plan's destinations, each with its own id."""
        if "scheduled_plan_destination" not in body:
            return
        plan["scheduled_plan_destination"] = [
            {
                **shapes.plan_destination(),
                **{k: v for k, v in d.items() if k in shapes.plan_destination()},
                "id": self.new_id("scheduled_plan_destinations"),
                "scheduled_plan_id": plan["id"] or None,
            }
            for d in body["scheduled_plan_destination"] or []
        ]

    def _on_delete(self, type_name: str, obj: Json) -> None:
        """Keep counters, memberships and references true after a delete."""
        if type_name == "folders":
            self._bump("folders", obj["parent_id"], "child_count", -1)
            self._delete_folder_contents(obj["id"])
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
        elif type_name in shapes.SOFT_DELETABLE:
            self._drop_dependents(type_name, {obj["id"]})
            if type_name == "dashboards":
                self._drop_alerts({e["id"] for e in obj["dashboard_elements"]})
                for child_type in ("dashboard_elements", "dashboard_filters", "dashboard_layouts"):
                    self._parents.pop(child_type, None)
                self._parents.pop("dashboard_layout_components", None)
        if type_name == "groups":
            values = self._objects["user_attribute_group_values"]
            for value_id in [k for k, v in values.items() if v["group_id"] == obj["id"]]:
                del values[value_id]
        if type_name == "user_attributes":
            values = self._objects["user_attribute_group_values"]
            for value_id in [k for k, v in values.items() if v["user_attribute_id"] == obj["id"]]:
                del values[value_id]

    def _delete_folder_contents(self, folder_id: str) -> None:
        """Deleting a folder deletes its subfolders and every look and dashboard in them."""
        doomed = {folder_id}
        frontier = [folder_id]
        while frontier:
            parent = frontier.pop()
            children = [f["id"] for f in self._table("folders") if f["parent_id"] == parent]
            doomed.update(children)
            frontier += children
        for sub_id in doomed - {folder_id}:
            self._objects["folders"].pop(sub_id, None)
        for type_name in ("looks", "dashboards"):
            table = self._objects[type_name]
            for obj in [o for o in table.values() if o["folder_id"] in doomed]:
                del table[obj["id"]]
                self._on_delete(type_name, obj)

    def _drop_dependents(self, type_name: str, ids: set[str]) -> None:
        """Schedules and board items that point at hard-deleted content go with it."""
        key = "dashboard_id" if type_name == "dashboards" else "look_id"
        plans = self._objects["scheduled_plans"]
        for plan_id in [p for p, plan in plans.items() if plan[key] in ids]:
            del plans[plan_id]
        doomed = [
            (section["id"], item["id"])
            for board in self._objects["boards"].values()
            for section in board["board_sections"]
            for item in section["board_items"]
            if item[key] in ids
        ]
        for section_id, item_id in doomed:
            self._replace_section(section_id, functools.partial(_without_item, item_id=item_id))
        self._parents.pop("board_items", None)

    def _drop_alerts(self, element_ids: set[str]) -> None:
        alerts = self._objects["alerts"]
        for alert_id in [
            a for a, alert in alerts.items() if alert["dashboard_element_id"] in element_ids
        ]:
            del alerts[alert_id]

    def _bump(self, type_name: str, object_id: str | None, key: str, delta: int) -> None:
        """Adjust a derived counter (folder children, group members) after a write."""
        table = self._objects[type_name]
        obj = table.get(object_id or "")
        if obj is not None:
            table[obj["id"]] = {**obj, key: obj[key] + delta}


def _child_writable(key: str) -> bool:
    nested = {"dashboard_layout_components", "board_items", "look", "query", "result_maker"}
    nested |= {"visible_item_order", "dashboard_title", "field"}
    return key not in shapes.SERVER_MANAGED and key not in nested


def _filterable(sent: Json) -> Json:
    return {
        "model": sent.get("model"),
        "view": sent.get("view"),
        "name": sent.get("name"),
        "listen": [
            {
                "dashboard_filter_name": listen.get("dashboard_filter_name"),
                "field": listen.get("field"),
            }
            for listen in sent.get("listen") or []
        ],
    }


def _order_errors(key: str, order: list[str], known: set[str]) -> list[ErrorDetail]:
    unknown = [i for i in order if i not in known]
    if unknown:
        return [ErrorDetail(key, "invalid", f"Unknown ids in {key}: {', '.join(unknown)}")]
    return []


def _without_item(section: Json, item_id: str) -> Json:
    return {
        **section,
        "board_items": [i for i in section["board_items"] if i["id"] != item_id],
        "item_order": [i for i in section["item_order"] if i != item_id],
        "visible_item_order": [i for i in section["visible_item_order"] if i != item_id],
    }


def _id_order(value: str) -> tuple[int, str]:
    return (int(value), "") if value.isdigit() else (0, value)


def _require_object(body: Any) -> Json:
    if not isinstance(body, dict):
        raise ApiError(400, "Expected a JSON object in the request body")
    return body


def _project(obj: Json, fields: str | None) -> Json:
    if not fields:
        return obj
    projected: Json = query.project(obj, query.parse_fields(fields))
    return projected
