"""Looks: the query first (queries never change: a changed one is a new query), then the
look, then to the trash if the backup has it there."""

from __future__ import annotations

from typing import Any

from lookervault.restore.canonical import Translate, query_definition
from lookervault.restore.source import Key
from lookervault.restore.types.base import Handler
from lookervault.restore.writes import (
    Context,
    changed_fields,
    create,
    create_query,
    top_body,
    update,
)

Json = dict[str, Any]


def query(item: Json, _translate: Translate) -> Json:
    return {"query": query_definition(item.get("query"))}


def write_look(ctx: Context, key: Key, want: Json, target_id: str | None) -> str:
    """The query first (queries never change: a changed one is a new query), then the look."""
    trash = bool(want.get("deleted"))
    if target_id is None:
        body = top_body(want, key[0])
        body["query_id"] = create_query(ctx, key, want.get("query"))
        body.pop("deleted", None)
        target_id = create(ctx, key, body)
        if trash:
            update(ctx, key, target_id, {"deleted": True})
        return target_id
    changed = changed_fields(ctx, key, want, target_id)
    body = top_body(want, key[0], changed)
    if "query" in changed:
        body["query_id"] = create_query(ctx, key, want.get("query"))
    update(ctx, key, target_id, body)
    return target_id


HANDLER = Handler(pseudo=query, write=write_look)
