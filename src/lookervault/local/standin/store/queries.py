"""Queries: immutable and deduplicated (an identical definition returns the existing query),
each with a slug of its own; found by id through the generic get, or by slug here.
"""

from __future__ import annotations

from typing import Any

from lookervault.local.standin import rules, shapes
from lookervault.local.standin.shapes import Json
from lookervault.local.standin.store.tables import Tables, projected, require_object, token
from lookervault.local.standin.wire import not_found


class QueriesMixin(Tables):
    """Creating a query, and finding one by its slug."""

    def query_for_slug(self, slug: str, fields: str | None) -> Json:
        with self._lock:
            found = next((q for q in self._table("queries") if q["slug"] == slug), None)
            if found is None:
                raise not_found()
            return projected(dict(found), fields)

    def create_query(self, body: Any) -> Json:
        """Queries are immutable and deduplicated: an identical definition returns the
        existing query (spec create_query)."""
        body = require_object(body)
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
                obj["client_id"] = token(22)
            obj["slug"] = self._free_token(7, {q["slug"] for q in self._table("queries")})
            self._objects["queries"][obj["id"]] = obj
            self._queries_by_key[rules.query_key(obj)] = obj["id"]
            return dict(obj)
