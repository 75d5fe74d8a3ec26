"""Users, groups, user attributes and roles: group members, an attribute's group values, a
user's roles and email login, a role's groups, and what creating or deleting one of them does
to the others.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lookervault.local.standin import query, shapes, types
from lookervault.local.standin.shapes import Json
from lookervault.local.standin.store.tables import (
    ALREADY_EXISTS,
    Delivery,
    Tables,
    now_iso,
    projected,
    require_object,
    token,
)
from lookervault.local.standin.wire import ApiError, ErrorDetail, not_found, validation_failed


class UsersMixin(Tables):
    """The calls on a user's, group's or attribute's parts, and the people side of writes."""

    def group_users(self, group_id: str, params: Mapping[str, str]) -> list[Json]:
        with self._lock:
            if group_id not in self._objects["groups"]:
                raise not_found()
            members = [u for u in self._table("users") if group_id in u["group_ids"]]
            ordered = query.sort(members, params.get("sorts"))
            rendered = [self._render("users", u, detail=False) for u in query.page(ordered, params)]
        return [projected(obj, params.get("fields")) for obj in rendered]

    def user_roles(self, user_id: str, fields: str | None) -> list[Json]:
        with self._lock:
            user = self._objects["users"].get(user_id)
            if user is None:
                raise not_found()
            roles = [self._objects["roles"][r] for r in user["role_ids"]]
            return [projected(self._render("roles", r, detail=True), fields) for r in roles]

    def credentials_email(self, user_id: str, fields: str | None) -> Json:
        with self._lock:
            user = self._objects["users"].get(user_id)
            if user is None or user["credentials_email"] is None:
                raise not_found()
            return projected(dict(user["credentials_email"]), fields)

    def search_credentials_email(self, params: Mapping[str, str]) -> list[Json]:
        """search_credentials_email: every user's email login, filtered on `email`, paged and
        projected like any search (the spec's other filters are not modelled)."""
        with self._lock:
            found = [
                dict(user["credentials_email"])
                for user in self._table("users")
                if user["credentials_email"] is not None
            ]
        wanted = params.get("email")
        if wanted:
            found = [c for c in found if str(c.get("email")).lower() == wanted.lower()]
        paged = query.page(found, params)
        return [projected(c, params.get("fields")) for c in paged]

    def add_group_user(self, group_id: str, body: Any) -> Json:
        body = require_object(body)
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

    def write_credentials_email(self, user_id: str, body: Any, create: bool) -> Json:
        """Set a user's email login; the user's read-only `email` comes from it."""
        body = require_object(body)
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
        holders = self._indexed("users").index("email").ids(email.lower())
        if any(holder != user_id for holder in holders):
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
                "password_reset_url": f"/password/reset/{token(32)}",
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

    def role_groups(self, role_id: str, fields: str | None) -> list[Json]:
        with self._lock:
            if role_id not in self._objects["roles"]:
                raise not_found()
            entry = self._objects["role_groups"].get(role_id)
            groups = [self._objects["groups"][g] for g in entry["group_ids"]] if entry else []
            rendered = [self._render("groups", g, detail=True) for g in groups]
        return [projected(g, fields) for g in rendered]

    def set_role_groups(self, role_id: str, body: Any) -> list[Json]:
        """Replace the role's whole group list (spec set_role_groups)."""
        if not isinstance(body, list):
            raise ApiError(400, "Expected a JSON array of group ids")
        with self._lock:
            if role_id not in self._objects["roles"]:
                raise not_found()
            unknown = [g for g in body if g not in self._objects["groups"]]
            if unknown:
                raise validation_failed(
                    [ErrorDetail("group_ids", "invalid", f"No group with id {g}") for g in unknown]
                )
            table = self._objects["role_groups"]
            if body:
                table[role_id] = {"role_id": role_id, "group_ids": sorted(set(body), key=_id_order)}
            else:
                table.pop(role_id, None)
        return self.role_groups(role_id, None)

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

    def _on_user_create(self, obj: Json, stamp: str) -> None:
        """A new user gets a personal folder under the users root and the default groups."""
        users_root = next(f for f in self._objects["folders"].values() if f["is_users_root"])
        personal = types.blank("folders")
        name = " ".join(p for p in (obj["first_name"], obj["last_name"]) if p) or obj["id"]
        personal.update(
            id=self.new_id("folders"),
            name=name,
            parent_id=users_root["id"],
            creator_id=obj["id"],
            created_at=stamp,
            is_personal=True,
        )
        self._objects["folders"][personal["id"]] = personal
        self._bump("folders", users_root["id"], "child_count", 1)
        obj["display_name"] = name
        obj["personal_folder_id"] = personal["id"]
        groups = self._objects["groups"].values()
        default_groups = [g["id"] for g in groups if g["include_by_default"]]
        obj["group_ids"] = sorted({*obj["group_ids"], *default_groups}, key=int)
        for group_id in default_groups:
            self._bump("groups", group_id, "user_count", 1)

    def _unlink_memberships(self, type_name: str, obj: Json) -> None:
        """A deleted user leaves its groups; a deleted group or role leaves its users; a deleted
        group or attribute takes its group values with it, a deleted user or attribute the
        values set on users' accounts."""
        if type_name == "users":
            for group_id in obj["group_ids"]:
                self._bump("groups", group_id, "user_count", -1)
        elif type_name in ("groups", "roles"):
            field_name = "group_ids" if type_name == "groups" else "role_ids"
            users = self._objects["users"]
            for user_id, user in list(users.items()):
                if obj["id"] in user[field_name]:
                    kept = [i for i in user[field_name] if i != obj["id"]]
                    users[user_id] = {**user, field_name: kept}
            self._unlink_role_groups(type_name, obj["id"])
        if type_name == "groups":
            values = self._objects["user_attribute_group_values"]
            for value_id in [k for k, v in values.items() if v["group_id"] == obj["id"]]:
                del values[value_id]
        if type_name == "user_attributes":
            values = self._objects["user_attribute_group_values"]
            for value_id in [k for k, v in values.items() if v["user_attribute_id"] == obj["id"]]:
                del values[value_id]
        if type_name in ("users", "user_attributes"):
            key = "user_id" if type_name == "users" else "user_attribute_id"
            own = self._objects["user_attribute_user_values"]
            for value_id in [k for k, v in own.items() if v[key] == obj["id"]]:
                del own[value_id]

    def _unlink_role_groups(self, type_name: str, object_id: str) -> None:
        """A deleted role takes its group list with it; a deleted group leaves every role."""
        table = self._objects["role_groups"]
        if type_name == "roles":
            table.pop(object_id, None)
            return
        for role_id, entry in list(table.items()):
            kept = [g for g in entry["group_ids"] if g != object_id]
            if not kept:
                del table[role_id]
            elif len(kept) < len(entry["group_ids"]):
                table[role_id] = {**entry, "group_ids": kept}


def _id_order(value: str) -> tuple[int, str]:
    return (int(value), "") if value.isdigit() else (0, value)
