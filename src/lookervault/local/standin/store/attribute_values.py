"""User attribute values: a group's value (ranked), a value on one user's account, and the value
a user ends up with, found as the spec's `user_attribute_user_values` describes: the user's
own, else their groups' (lowest rank wins), else the attribute's default.

A hidden attribute (`value_is_hidden`) keeps every value it is given, and the API shows each
as null with `value_is_hidden: true` (spec `UserAttributeGroupValue.value_is_hidden`); the
stored values stay readable to tests through `items()`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lookervault.local.standin import shapes, types
from lookervault.local.standin.shapes import Json
from lookervault.local.standin.store.tables import Tables, projected, require_object
from lookervault.local.standin.wire import ApiError, ErrorDetail, not_found, validation_failed

SYSTEM_SOURCES = ("email", "first_name", "last_name")
"""System attributes whose value is the user's own account field."""


class AttributeValuesMixin(Tables):
    """The group value and user value calls, and how a user's values are found."""

    # ---- group values ------------------------------------------------------------------------

    def group_values(self, attribute_id: str, fields: str | None) -> list[Json]:
        with self._lock:
            attribute = self._attribute(attribute_id)
            values = sorted(self._values_of(attribute_id), key=lambda v: v["rank"])
            return [projected(_shown(attribute, v), fields) for v in values]

    def set_group_values(self, attribute_id: str, body: Any) -> list[Json]:
        """Replace every group value of the attribute, ranked in the order given."""
        if not isinstance(body, list) or not all(isinstance(v, dict) for v in body):
            raise ApiError(400, "Expected a JSON array of group values")
        with self._lock:
            attribute = self._attribute(attribute_id)
            for given in body:
                if str(given.get("group_id") or "") not in self._objects["groups"]:
                    raise validation_failed([ErrorDetail("group_id", "missing", "No such group")])
            table = self._objects["user_attribute_group_values"]
            for value in self._values_of(attribute_id):
                del table[value["id"]]
            created = []
            for rank, given in enumerate(body, 1):
                value = types.blank("user_attribute_group_values")
                value.update(
                    id=self.new_id("user_attribute_group_values"),
                    group_id=str(given["group_id"]),
                    user_attribute_id=attribute_id,
                    rank=rank,
                    value=given.get("value"),
                )
                table[value["id"]] = value
                created.append(_shown(attribute, value))
            return created

    def update_group_value(self, group_id: str, attribute_id: str, body: Any) -> Json:
        """Set one group's value; a group without one yet gets the lowest precedence (the
        highest rank; UNCONFIRMED), unless the body gives a rank."""
        body = require_object(body)
        with self._lock:
            attribute = self._attribute(attribute_id)
            if group_id not in self._objects["groups"]:
                raise not_found()
            if body.get("value") is None:
                raise validation_failed(
                    [ErrorDetail("value", "missing", "This field is required.")]
                )
            values = self._values_of(attribute_id)
            old = next((v for v in values if v["group_id"] == group_id), None)
            if old is None:
                old = types.blank("user_attribute_group_values")
                old.update(
                    id=self.new_id("user_attribute_group_values"),
                    group_id=group_id,
                    user_attribute_id=attribute_id,
                    rank=max((v["rank"] for v in values), default=0) + 1,
                )
            rank = body.get("rank") if isinstance(body.get("rank"), int) else old["rank"]
            value = {**old, "value": str(body["value"]), "rank": rank}
            self._objects["user_attribute_group_values"][value["id"]] = value
            return _shown(attribute, value)

    def delete_group_value(self, group_id: str, attribute_id: str) -> None:
        """A group without a value for the attribute is left as it is (UNCONFIRMED: 204)."""
        with self._lock:
            self._attribute(attribute_id)
            if group_id not in self._objects["groups"]:
                raise not_found()
            for value in self._values_of(attribute_id):
                if value["group_id"] == group_id:
                    del self._objects["user_attribute_group_values"][value["id"]]

    def _values_of(self, attribute_id: str) -> list[Json]:
        return [
            v
            for v in self._table("user_attribute_group_values")
            if v["user_attribute_id"] == attribute_id
        ]

    def _attribute(self, attribute_id: str) -> Json:
        attribute = self._objects["user_attributes"].get(attribute_id)
        if attribute is None:
            raise not_found()
        return attribute

    # ---- a user's values ---------------------------------------------------------------------

    def user_values(self, user_id: str, params: Mapping[str, str]) -> list[Json]:
        """user_attribute_user_values: per attribute (all, or `user_attribute_ids`), the
        value found first, or with `all_values=true` every value on the search path; an
        attribute with none is left out unless `include_unset=true`."""
        wanted = _ids(params.get("user_attribute_ids"))
        every = params.get("all_values") == "true"
        unset = params.get("include_unset") == "true"
        with self._lock:
            user = self._objects["users"].get(user_id)
            if user is None:
                raise not_found()
            rows: list[Json] = []
            for attribute in self._table("user_attributes"):
                if wanted and attribute["id"] not in wanted:
                    continue
                found = self._search_path(user, attribute)
                if not found and unset:
                    found = [_with_value(user_id, attribute, None, None, None)]
                rows += found if every else found[:1]
        return [projected(row, params.get("fields")) for row in rows]

    def _search_path(self, user: Json, attribute: Json) -> list[Json]:
        """Every value the user could get for the attribute, first the one that wins."""
        user_id = user["id"]
        found = []
        if attribute["is_system"] and attribute["name"] in SYSTEM_SOURCES:
            own = user[attribute["name"]]
            if own is not None:
                found.append(_with_value(user_id, attribute, own, "system", None))
        stored = self._user_value(user_id, attribute["id"])
        if stored is not None:
            found.append(_with_value(user_id, attribute, stored["value"], "user", None))
        ranked = sorted(
            (v for v in self._values_of(attribute["id"]) if v["group_id"] in user["group_ids"]),
            key=lambda v: v["rank"],
        )
        found += [_with_value(user_id, attribute, v["value"], "group", v["rank"]) for v in ranked]
        if attribute["default_value"] not in (None, ""):
            found.append(
                _with_value(user_id, attribute, attribute["default_value"], "default", None)
            )
        return found

    def set_user_value(self, user_id: str, attribute_id: str, body: Any) -> Json:
        """set_user_attribute_user_value: the user's own value, which wins over group and
        default values. A system attribute's value is the user's account field: 422
        (UNCONFIRMED)."""
        body = require_object(body)
        with self._lock:
            if user_id not in self._objects["users"]:
                raise not_found()
            attribute = self._attribute(attribute_id)
            if attribute["is_system"]:
                message = "A system user attribute takes its value from the user's account."
                raise validation_failed([ErrorDetail("user_attribute_id", "invalid", message)])
            if body.get("value") is None:
                raise validation_failed(
                    [ErrorDetail("value", "missing", "This field is required.")]
                )
            old = self._user_value(user_id, attribute_id)
            value_id = old["id"] if old else self.new_id("user_attribute_user_values")
            made = shapes.user_attribute_user_value(
                value_id, user_id, attribute_id, str(body["value"])
            )
            self._objects["user_attribute_user_values"][value_id] = made
            return _with_value(user_id, attribute, made["value"], "user", None)

    def delete_user_value(self, user_id: str, attribute_id: str) -> None:
        """The user's value goes; their groups' or the default applies again. A user without
        one is left as it is (UNCONFIRMED: 204)."""
        with self._lock:
            if user_id not in self._objects["users"]:
                raise not_found()
            self._attribute(attribute_id)
            stored = self._user_value(user_id, attribute_id)
            if stored is not None:
                del self._objects["user_attribute_user_values"][stored["id"]]

    def _user_value(self, user_id: str, attribute_id: str) -> Json | None:
        values = self._indexed("user_attribute_user_values")
        mine = (values[i] for i in values.index("user_id").ids(user_id))
        return next((v for v in mine if v["user_attribute_id"] == attribute_id), None)


def _shown(attribute: Json, value: Json) -> Json:
    """A group value as the API shows it: null when the attribute is hidden."""
    hidden = bool(attribute["value_is_hidden"])
    return {**value, "value": None if hidden else value["value"], "value_is_hidden": hidden}


def _with_value(
    user_id: str, attribute: Json, value: str | None, source: str | None, rank: int | None
) -> Json:
    """A `UserAttributeWithValue`: where the value came from, null when hidden."""
    hidden = bool(attribute["value_is_hidden"])
    return {
        "name": attribute["name"],
        "label": attribute["label"],
        "rank": rank,
        "value": None if hidden else value,
        "user_id": user_id,
        "user_can_edit": attribute["user_can_edit"],
        "value_is_hidden": hidden,
        "user_attribute_id": attribute["id"],
        "source": source,
        "hidden_value_domain_whitelist": attribute["hidden_value_domain_whitelist"],
    }


def _ids(text: str | None) -> set[str]:
    """`user_attribute_ids` as looker_sdk sends it ("1,2") or as a JSON array."""
    cleaned = (text or "").strip().strip("[]")
    return {part.strip().strip('"') for part in cleaned.split(",") if part.strip().strip('"')}
