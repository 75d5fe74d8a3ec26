"""Queries and merge queries: immutable and deduplicated (an identical definition returns the
existing one). A query has a slug of its own and is found by id through the generic get, or
by slug here; a merge query names its source queries by id.
"""

from __future__ import annotations

from typing import Any

from lookervault.local.standin import rules, shapes, types
from lookervault.local.standin.shapes import Json
from lookervault.local.standin.store.tables import Tables, projected, require_object, token
from lookervault.local.standin.wire import not_found, validation_failed


class QueriesMixin(Tables):
    """Creating a query or a merge query, and finding a query by its slug."""

    def query_for_slug(self, slug: str, fields: str | None) -> Json:
        with self._lock:
            queries = self._indexed("queries")
            found = queries.get(queries.index("slug").first(slug) or "")
            if found is None:
                raise not_found()
            return projected(dict(found), fields)

    def create_query(self, body: Any) -> Json:
        """Queries are immutable and deduplicated: an identical definition returns the
        existing query (spec create_query)."""
        body = require_object(body)
        with self._lock:
            obj = types.blank("queries")
            obj.update({k: v for k, v in body.items() if k in obj and types.writable("queries", k)})
            self._validate("queries", body, None, obj)
            queries = self._indexed("queries")
            existing = queries.index("definition").first(rules.query_key(obj))
            if existing is not None:
                return dict(queries[existing])
            obj["id"] = self.new_id("queries")
            if obj["client_id"] in (None, "") or obj["client_id"] in queries.index("client_id"):
                obj["client_id"] = token(22)
            obj["slug"] = self._free_token(7, queries.index("slug"))
            queries[obj["id"]] = obj
            return dict(obj)

    def create_merge_query(self, body: Any, fields: str | None) -> Json:
        """Merge queries are immutable and deduplicated like queries (spec
        create_merge_query); every source query must exist."""
        body = require_object(body if body is not None else {})
        with self._lock:
            merge = shapes.merge_query()
            merge.update({k: v for k, v in body.items() if k in merge and k != "result_maker_id"})
            errors = rules.merge_errors(merge, self._exists)
            if errors:
                raise validation_failed(errors)
            merge["source_queries"] = [
                shapes.merge_source(sent, self._objects["queries"][str(sent["query_id"])]["slug"])
                for sent in merge["source_queries"]
            ]
            merges = self._indexed("merge_queries")
            same = merges.index("definition").first(rules.merge_query_key(merge))
            existing = merges.get(same or "")
            if existing is None:
                merge["id"] = self.new_id("merge_queries")
                merge["result_maker_id"] = self.new_id("result_makers")
                merges[merge["id"]] = merge
                existing = merge
            return projected(dict(existing), fields)
