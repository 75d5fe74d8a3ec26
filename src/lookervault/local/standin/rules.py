"""Looker's refusals on writes, as pure checks: each returns what is wrong, never raises.

Every rule names its source in docs/development.md ("The Looker stand-in").
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from lookervault.local.standin.wire import ErrorDetail

Exists = Callable[[str, str], bool]
"""exists(table, id): whether an object with that id is stored."""

DATA_SOURCES = ("look_id", "query_id", "merge_result_id")
CONTENT_FREE_ELEMENTS = frozenset({"text", "button", "extension"})
"""Element types that show no query result (text is sourced; button and extension assumed)."""

MUST_HAVE_SOURCE = (
    "Must provide either a look_id, query_id, or merge_result_id for non-text dashboard element"
)
TEXT_WITH_SOURCE = "Result Maker IDs should not be provided for text elements"
SOURCE_WITH_RESULT_MAKER = " ".join(
    (
        "Query ID, Look ID, and Merge Result ID should not be specified",
        "if a Result Maker ID is provided",
    )
)
TITLE_TAKEN_FIELD = "[:title, :space_id]"
"""How Looker names the clashing pair in its 422 (looker-cli#177)."""

QUERY_DEFINITION = (
    "model",
    "view",
    "fields",
    "pivots",
    "fill_fields",
    "filters",
    "filter_expression",
    "sorts",
    "limit",
    "column_limit",
    "total",
    "row_total",
    "subtotals",
    "vis_config",
    "filter_config",
    "visible_ui_sections",
    "dynamic_fields",
    "query_timezone",
)
"""What makes two queries the same query: every writable field but client_id."""

MERGE_DEFINITION = (
    "source_queries",
    "pivots",
    "sorts",
    "dynamic_fields",
    "total",
    "limit",
    "column_limit",
    "vis_config",
)
"""What makes two merge queries the same: every writable field (spec create_merge_query)."""

PLAN_TARGETS = ("look_id", "dashboard_id", "lookml_dashboard_id", "query_id")
LOOK_PLAN_REQUIRED = ("require_results", "require_no_results", "require_change")
FIELD_FILTER_TYPES = frozenset({"field", "field_filter"})


def query_key(query: Mapping[str, Any]) -> str:
    """A query's definition as one comparable string."""
    return json.dumps({name: query.get(name) for name in QUERY_DEFINITION}, sort_keys=True)


def merge_query_key(merge: Mapping[str, Any]) -> str:
    """A merge query's definition as one comparable string."""
    return json.dumps({name: merge.get(name) for name in MERGE_DEFINITION}, sort_keys=True)


def merge_errors(merge: Mapping[str, Any], exists: Exists) -> list[ErrorDetail]:
    """A merge query merges at least one query, and each source names an existing query."""
    sources = merge.get("source_queries") or []
    if not sources:
        message = "A merge query needs at least one source query."
        return [ErrorDetail("source_queries", "missing", message)]
    errors = []
    for index, source in enumerate(sources):
        field = f"source_queries[{index}].query_id"
        query_id = source.get("query_id") if isinstance(source, Mapping) else None
        if not query_id:
            errors.append(ErrorDetail(field, "missing", "This field is required."))
        elif not exists("queries", str(query_id)):
            errors.append(ErrorDetail(field, "invalid", f"No query with id {query_id}"))
    return errors


def element_errors(
    body: Mapping[str, Any], merged: Mapping[str, Any], exists: Exists
) -> list[ErrorDetail]:
    """A tile must show something, text tiles show no query, references must resolve."""
    kind = merged.get("type") or "vis"
    sources = [name for name in DATA_SOURCES if merged.get(name)]
    if kind in CONTENT_FREE_ELEMENTS:
        if sources or merged.get("result_maker_id"):
            return [ErrorDetail("type", "invalid", TEXT_WITH_SOURCE)]
        return []
    if body.get("result_maker_id") and any(body.get(name) for name in DATA_SOURCES):
        return [ErrorDetail("result_maker_id", "invalid", SOURCE_WITH_RESULT_MAKER)]
    if not sources and not merged.get("result_maker_id"):
        return [ErrorDetail("type", "invalid", MUST_HAVE_SOURCE)]
    errors = []
    references = (
        ("look_id", "looks"),
        ("query_id", "queries"),
        ("merge_result_id", "merge_queries"),
    )
    for name, table in references:
        value = body.get(name)
        if value and not exists(table, str(value)):
            errors.append(ErrorDetail(name, "invalid", f"No {table[:-1]} with id {value}"))
    return errors


def look_over_result_maker(body: Mapping[str, Any], old: Mapping[str, Any]) -> list[ErrorDetail]:
    """A tile that has a result maker is not pointed at another look in place: the answer
    Looker gives when it applies cli#62's rule to updates too (UNCONFIRMED, strict profile)."""
    look_id = body.get("look_id")
    if not look_id or look_id == old.get("look_id") or not old.get("result_maker_id"):
        return []
    return [ErrorDetail("look_id", "invalid", SOURCE_WITH_RESULT_MAKER)]


def filter_errors(merged: Mapping[str, Any], sibling_titles: set[str]) -> list[ErrorDetail]:
    """Filter titles are unique within a dashboard; a field filter names its field."""
    errors = []
    if merged.get("title") in sibling_titles:
        errors.append(
            ErrorDetail("title", "already_exists", "Filter with this title already exists.")
        )
    if merged.get("type") in FIELD_FILTER_TYPES:
        errors += [
            ErrorDetail(name, "missing", "This field is required for a field filter.")
            for name in ("model", "explore", "dimension")
            if not merged.get(name)
        ]
    return errors


def plan_errors(
    body: Mapping[str, Any], merged: Mapping[str, Any], *, for_create: bool
) -> list[ErrorDetail]:
    """What create_scheduled_plan and update_scheduled_plan refuse (spec descriptions)."""
    errors = []
    if for_create:
        if not any(merged.get(name) for name in PLAN_TARGETS):
            errors.append(
                ErrorDetail(
                    "look_id",
                    "missing",
                    "One of look_id, dashboard_id, lookml_dashboard_id or query_id is required.",
                )
            )
        if not (merged.get("crontab") or merged.get("datagroup")):
            errors.append(ErrorDetail("crontab", "missing", "A crontab or datagroup is required."))
        if merged.get("look_id"):
            errors += [
                ErrorDetail(name, "missing", "This field is required for a look schedule.")
                for name in LOOK_PLAN_REQUIRED
                if body.get(name) is None
            ]
    if (for_create or "scheduled_plan_destination" in body) and not body.get(
        "scheduled_plan_destination"
    ):
        errors.append(
            ErrorDetail(
                "scheduled_plan_destination",
                "missing",
                "A scheduled plan must have at least one scheduled_plan_destination.",
            )
        )
    return errors


def trash_errors(obj: dict[str, Any]) -> list[ErrorDetail]:
    """A written `deleted_at` (a board's, a section's) is kept in Looker's own form, whatever
    form of ISO 8601 it came in; one that is not a time is 422."""
    stamp = obj.get("deleted_at")
    if stamp is None:
        return []
    try:
        moment = datetime.fromisoformat(str(stamp))
    except ValueError:
        return [ErrorDetail("deleted_at", "invalid", "Must be a date and time.")]
    moment = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    obj["deleted_at"] = moment.strftime("%Y-%m-%dT%H:%M:%S.000+00:00")
    return []
