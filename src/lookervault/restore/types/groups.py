"""Groups: the group, then its members once the users exist (the step's second call).

Members added since the backup stay: a restore only adds the ones the group lacks. A group
everyone joins by default (`include_by_default`) has no members to restore.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from lookervault.restore import lookup
from lookervault.restore.canonical import Translate, translated
from lookervault.restore.source import Key
from lookervault.restore.types.base import Handler
from lookervault.restore.writes import Context

if TYPE_CHECKING:
    from lookervault.restore.plan import Plan

Json = dict[str, Any]


def members(item: Json, translate: Translate) -> Json:
    return {"member_user_ids": translated(item.get("member_user_ids") or [], "users", translate)}


def without_default_members(_plan: Plan, item: Json, want: Json, _target: Json | None) -> None:
    if item.get("include_by_default"):
        want.pop("member_user_ids", None)


def write_group_members(ctx: Context, key: Key, want: Json, target_id: str) -> None:
    """The members a group lacks, once the users exist (members added since the backup stay)."""
    have = set(ctx.target_item(key[0], target_id).get("member_user_ids") or [])
    client = ctx.plan.target.client
    ctx.each(
        functools.partial(
            ctx.send,
            "POST",
            "/groups/{id}/users",
            key,
            {"user_id": user_id},
            find=lookup.member(client, target_id, user_id),
            id=target_id,
        )
        for user_id in want.get("member_user_ids") or []
        if user_id not in have
    )


HANDLER = Handler(
    pseudo=members,
    late_write=write_group_members,
    fit=without_default_members,
    lacking_only=frozenset({"member_user_ids"}),
)
