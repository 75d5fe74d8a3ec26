"""Favourites: made once, as their user, and never changed.

An admin cannot make another user's favourite (Looker's own SDK example logs in as each
user), so each is made with a token from `login_user`, and Looker's answer must name that
user. Where Looker refuses to act as other users (Looker (Google Cloud core)), only the API
user's own favourites are made; the others end with a note.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lookervault.looker.client import api_path
from lookervault.looker.content_types import BY_NAME
from lookervault.restore import canonical, lookup
from lookervault.restore.canonical import Translate, translated
from lookervault.restore.denials import DENIABLE
from lookervault.restore.source import Key
from lookervault.restore.types.base import Handler
from lookervault.restore.writes import Context, ItemError, Unrestorable

if TYPE_CHECKING:
    from lookervault.restore.resolver import Resolver

Json = dict[str, Any]


def favoured(item: Json, translate: Translate) -> Json:
    return {name: translated(item.get(name), kind, translate) for name, kind in canonical.FAVORED}


def made_by_its_user_only(resolver: Resolver, item: Json, translate: Translate) -> str | None:
    """A favourite of another user, where Looker will not let the restore act as them."""
    if "login_user" not in resolver.denied:
        return None
    user = item.get("user_id")
    if user is None or translate("users", str(user)) != resolver.caller:
        return DENIABLE["login_user"].note
    return None


def write_favorite(ctx: Context, key: Key, want: Json, target_id: str | None) -> str:
    """A favourite is made once and never changes. An admin cannot make another user's
    favourite (Looker's own SDK example logs in as each user), so it is made as its user,
    with a token from `login_user`, and Looker's answer must name that user."""
    if target_id is not None:
        return target_id
    user_id = want.get("user_id")
    if user_id is None:
        raise Unrestorable("its user is neither backed up nor in Looker")
    for field_name, type_name in canonical.FAVORED:
        if ctx.source_item(key).get(field_name) is None:
            continue
        content_id = want.get(field_name)
        if content_id is None:
            raise Unrestorable(f"its {type_name[:-1]} is neither backed up nor in Looker")
        metadata_id = _content_metadata_id(ctx, type_name, content_id)
        body = {"user_id": str(user_id), "content_metadata_id": metadata_id}
        token = ctx.token_for(key, str(user_id))
        find = lookup.favorite(ctx.plan.target.client, body)
        answer = ctx.send("POST", "/content_favorite", key, body, find=find, token=token)
        made = ctx.created(key, answer)
        if str(answer.get("user_id")) != str(user_id):
            ctx.send("DELETE", "/content_favorite/{id}", key, token=token, id=made)
            raise ItemError(
                f"Looker made the favourite user {answer.get('user_id')}'s, not user "
                f"{user_id}'s; it was deleted again"
            )
        return made
    raise Unrestorable("a favourite of a LookML dashboard: it lives in its LookML project")


def _content_metadata_id(ctx: Context, type_name: str, item_id: str) -> str:
    known = ctx.target_item(type_name, item_id).get("content_metadata_id")
    if known is None:
        path = api_path(BY_NAME[type_name].item_path, item_id)
        found = ctx.get(path, {"fields": "id,content_metadata_id"})
        known = (found or {}).get("content_metadata_id")
    if known is None:
        raise ItemError(f"{type_name[:-1]} {item_id} has no content metadata in Looker")
    return str(known)


HANDLER = Handler(pseudo=favoured, write=write_favorite, refused_create=made_by_its_user_only)
