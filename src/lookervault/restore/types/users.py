"""Users: the user, then its email login (no reset mail is ever sent) and its roles; its own
user attribute values (which take precedence over group and default values: row-level
security keys on them) once the attributes exist, the step's second call.

Passwords, API keys and SSO links cannot be restored. Looker (Google Cloud core) may refuse
email logins: the user is then made without one, with a note, and matched by name later.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lookervault.looker.client import LookerRequestError
from lookervault.looker.content_types import BY_NAME
from lookervault.restore import canonical, lookup
from lookervault.restore.canonical import Translate, translated
from lookervault.restore.source import Key
from lookervault.restore.types.base import Handler
from lookervault.restore.writes import (
    Context,
    ItemError,
    changed_fields,
    create,
    set_values,
    top_body,
    update,
)

if TYPE_CHECKING:
    from lookervault.restore.plan import Plan

Json = dict[str, Any]
USERS = BY_NAME["users"]
EMAIL = USERS.natural_key[0]
"""Where a user's email is: its own field, or its email login's."""


def email_roles_and_values(item: Json, translate: Translate) -> Json:
    found = {
        "email": USERS.value(item, EMAIL),
        "role_ids": translated(item.get("role_ids") or [], "roles", translate),
    }
    if "attribute_values" in item:  # backups made before LookerVault read them have none
        found["attribute_values"] = sorted(
            (
                {"user_attribute_id": translate("user_attributes", str(v["user_attribute_id"]))}
                | canonical.attribute_value(v)
                for v in item["attribute_values"]
            ),
            key=lambda v: str(v["user_attribute_id"]),
        )
    return found


def as_writable(plan: Plan, _item: Json, want: Json, target: Json | None) -> None:
    """No email login where Looker refuses them; a hidden value only where Looker holds one
    for that attribute (it is left alone: the backup never has it)."""
    if "email_logins" in plan.resolver.denied:
        want.pop("email", None)
    if "attribute_values" in want:
        held = (target or {}).get("attribute_values") or []
        want["attribute_values"] = canonical.writable_values(
            want["attribute_values"], held, "user_attribute_id"
        )


def write_values(ctx: Context, key: Key, want: Json, target_id: str) -> None:
    """The user's own attribute values, as backed up: set where they differ, removed where the
    backup has none (the user then gets the group or default value). Hidden ones stay."""
    values = want.get("attribute_values")
    if values is None:
        return
    if any(v["user_attribute_id"] is None for v in values):
        raise ItemError("a value names a user attribute that is neither backed up nor in Looker")
    have = {
        str(v.get("user_attribute_id")): v
        for v in ctx.target_item(key[0], target_id).get("attribute_values") or []
    }
    wanted = {str(v["user_attribute_id"]): v for v in values if not v.get("value_is_hidden")}
    path = "/users/{user_id}/attribute_values/{id}"
    set_values(ctx, key, path, wanted, have, "id", {"user_id": target_id})


def created_users_note(plan: Plan) -> list[str]:
    made = sum(1 for s in plan.steps.values() if s.key[0] == USERS.name and s.action == "create")
    if not made:
        return []
    return [
        f"{made} user(s) will be created with their email login only: passwords, API keys "
        "and SSO links cannot be restored, and no reset email is sent. Send resets from "
        "Looker's Admin > Users page when they need to log in."
    ]


def write_user(ctx: Context, key: Key, want: Json, target_id: str | None) -> str:
    """A user, then its email credential (no reset mail is ever sent) and its roles."""
    changed = ["email", "role_ids"] if target_id is None else []
    if target_id is None:
        body = top_body(want, key[0])
        email = want.get("email") or USERS.value(ctx.source_item(key), EMAIL)
        if email:  # in the create itself: no window for a user without its email
            body["credentials_email"] = {"email": email}
        target_id = create(ctx, key, body)
        if ctx.target_item(key[0], target_id).get("email") == want.get("email"):
            changed.remove("email")
    else:
        changed = changed_fields(ctx, key, want, target_id)
        update(ctx, key, target_id, top_body(want, key[0], changed))
    user = ctx.target_item(key[0], target_id)
    if "email" in changed and want.get("email"):
        _write_email(ctx, key, target_id, str(want["email"]), bool(user.get("credentials_email")))
    if "role_ids" in changed and want.get("role_ids") is not None:
        ctx.send("PUT", "/users/{id}/roles", key, want["role_ids"], id=target_id)
    personal = ctx.source_item(key).get("personal_folder_id")
    if personal is not None and user.get("personal_folder_id") is not None:
        ctx.plan.resolver.record(("folders", str(personal)), str(user["personal_folder_id"]))
    return target_id


def _write_email(ctx: Context, key: Key, user_id: str, email: str, has_one: bool) -> None:
    """The user's email login; where Looker refuses email logins, a note instead."""
    if "email_logins" in ctx.plan.resolver.denied:
        return
    path = "/users/{id}/credentials_email"
    client = ctx.plan.target.client
    try:
        if has_one:
            ctx.send("PATCH", path, key, {"email": email}, id=user_id)
        else:
            find = lookup.email_login(client, user_id, email)
            ctx.send("POST", path, key, {"email": email}, find=find, id=user_id)
    except LookerRequestError as exc:
        if not ctx.refused(exc, "email_logins", key):
            raise


HANDLER = Handler(
    pseudo=email_roles_and_values,
    write=write_user,
    late_write=write_values,
    fit=as_writable,
    notes=created_users_note,
)
