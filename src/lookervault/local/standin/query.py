"""List semantics of Looker search calls: filters, sorts, limit/offset paging, `fields`.

Pure functions over plain dicts, so the HTTP layer stays thin.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from lookervault.local.standin.shapes import Json

Selection = dict[str, "Selection | None"]
"""Parsed `fields`: key -> nested selection, or None to keep the whole value."""

CONTROL_PARAMS = frozenset(
    {"fields", "limit", "offset", "page", "per_page", "sorts", "filter_or", "deleted"}
)


class QueryError(ValueError):
    """A malformed list parameter: Looker answers 400."""


def parse_fields(text: str) -> Selection:
    """Parse `id,title,looks(id,title)` into {"id": None, "title": None, "looks": {...}}."""
    selection, rest = _parse_selection(text.replace(" ", ""), 0)
    if rest != len(text.replace(" ", "")):
        raise QueryError(f"Unbalanced parentheses in fields: {text!r}")
    return selection


def _parse_selection(text: str, pos: int) -> tuple[Selection, int]:
    selection: Selection = {}
    while pos < len(text) and text[pos] != ")":
        match = re.compile(r"[A-Za-z0-9_]+").match(text, pos)
        if match is None:
            raise QueryError(f"Bad fields expression near {text[pos:]!r}")
        name, pos = match.group(), match.end()
        nested: Selection | None = None
        if pos < len(text) and text[pos] == "(":
            nested, pos = _parse_selection(text, pos + 1)
            if pos >= len(text) or text[pos] != ")":
                raise QueryError(f"Unbalanced parentheses in fields near {name!r}")
            pos += 1
        selection[name] = nested
        if pos < len(text) and text[pos] == ",":
            pos += 1
    return selection, pos


def project(value: Any, selection: Selection | None) -> Any:
    """Keep only the selected keys, recursively through nested objects and lists."""
    if selection is None:
        return value
    if isinstance(value, list):
        return [project(item, selection) for item in value]
    if isinstance(value, dict):
        return {key: project(value[key], sub) for key, sub in selection.items() if key in value}
    return value


def matcher(params: Mapping[str, str]) -> Callable[[Json], bool]:
    """Whether an object passes the search params that name one of its keys (others are
    ignored); each param is turned into its test once, not once per object.

    Strings match case-insensitively with `%`/`_` wildcards; ids take comma-separated lists (OR);
    booleans take true/false; `IS NULL` / `NOT NULL` test for null. `filter_or=true` ORs them.
    """
    tests = [(key, _test(key, value)) for key, value in params.items() if key not in CONTROL_PARAMS]
    either = params.get("filter_or") == "true"

    def passes(obj: Json) -> bool:
        results = [test(obj[key]) for key, test in tests if key in obj]
        if not results:
            return True
        return any(results) if either else all(results)

    return passes


def _test(key: str, wanted: str) -> Callable[[Any], bool]:
    if wanted.upper() == "IS NULL":
        return lambda actual: actual is None
    if wanted.upper() == "NOT NULL":
        return lambda actual: actual is not None
    is_id = key == "id" or key.endswith("_id") or key.endswith("_ids")
    options = wanted.split(",") if is_id else [wanted]
    patterns = [_like(option.strip()) for option in options]
    flag = wanted.lower()

    def test(actual: Any) -> bool:
        if isinstance(actual, bool):
            return flag == str(actual).lower()
        if isinstance(actual, list):
            return any(test(item) for item in actual)
        if actual is None:
            return False
        text = str(actual)
        return any(pattern(text) is not None for pattern in patterns)

    return test


def _like(pattern: str) -> Callable[[str], re.Match[str] | None]:
    regex = "".join(
        ".*" if char == "%" else "." if char == "_" else re.escape(char) for char in pattern
    )
    return re.compile(regex, flags=re.IGNORECASE | re.DOTALL).fullmatch


def sort(items: Iterable[Json], sorts: str | None, id_key: str = "id") -> list[Json]:
    """Sort by `sorts` (`title desc, id`), then by id so the order is total and stable."""
    ordered = sorted(items, key=lambda item: _sort_key(item.get(id_key)))
    for part in reversed([p.strip() for p in (sorts or "").split(",") if p.strip()]):
        words = part.split()
        key = words[0]
        descending = len(words) > 1 and words[1].lower() == "desc"
        ordered.sort(key=lambda item, k=key: _sort_key(item.get(k)), reverse=descending)  # type: ignore[misc]
    return ordered


def _sort_key(value: Any) -> tuple[int, float, str]:
    """Nulls first, then numbers (ids are numeric strings), then text case-insensitively."""
    if value is None:
        return (0, 0.0, "")
    if isinstance(value, bool):
        return (1, float(value), "")
    if isinstance(value, int | float):
        return (1, float(value), "")
    text = str(value)
    if text.isdigit():
        return (1, float(text), "")
    return (2, 0.0, text.lower())


def page(items: list[Json], params: Mapping[str, str]) -> list[Json]:
    """Apply `limit`/`offset` (or the deprecated `page`/`per_page`) to a sorted list."""
    limit = _int_param(params, "limit")
    offset = _int_param(params, "offset")
    if limit is None and offset is None:
        per_page = _int_param(params, "per_page")
        page_number = _int_param(params, "page")
        if per_page is not None:
            limit = per_page
            offset = max(0, (page_number or 1) - 1) * per_page
    start = offset or 0
    return items[start:] if limit is None else items[start : start + limit]


def _int_param(params: Mapping[str, str], name: str) -> int | None:
    raw = params.get(name)
    if raw is None or raw == "":
        return None
    try:
        value = int(raw)
    except ValueError as exc:
        raise QueryError(f"{name} must be an integer, got {raw!r}") from exc
    if value < 0:
        raise QueryError(f"{name} must not be negative, got {value}")
    return value
