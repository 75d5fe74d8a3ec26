"""The shape of an export: where each item's YAML file goes, shared by export and import.

```
lookervault.yaml                                 the manifest: format, Looker host and version
folders/shared--1/_folder.yaml                   a folder: a directory with its own object
folders/shared--1/sales--17/dashboards/q3-revenue--42.yaml
folders/shared--1/sales--17/looks/top-accounts--7.yaml
folders/users--2/ada-lovelace--5/...             personal folders under the users root
dashboards/..., looks/...                        ones whose folder the backup does not hold
users/ada-lovelace--5.yaml, groups/..., roles/..., boards/..., alerts/... (one directory per type)
```

Names are `<slug of the title>--<id>`, so they are unique, stable while the title is, and
readable. The object inside a file is what counts (its id, its fields); only the folder is
read from the place: a look or dashboard belongs to the folder directory it sits in, and a
folder to the folder directory around it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

from lookervault.looker.content_types import BY_NAME, FILED, FOLDERS

MANIFEST = "lookervault.yaml"
FORMAT = 1
FOLDER_FILE = "_folder.yaml"
SUFFIX = ".yaml"
TOP_LEVEL = tuple(name for name in BY_NAME if name != FOLDERS)
"""Directories at the top of the tree besides `folders/` (looks and dashboards outside any
folder of the backup among them)."""
SLUG_LENGTH = 40


def slug(text: str | None) -> str:
    """Lower-case ASCII words joined by '-': "Q3 Revenue (EMEA)" -> "q3-revenue-emea"."""
    ascii_text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return words[:SLUG_LENGTH].rstrip("-") or "untitled"


def name(title: str | None, item_id: str) -> str:
    """`<slug>--<id>`; an id with characters a file name cannot hold is percent-encoded."""
    return f"{slug(title)}--{quote(item_id, safe='')}"


def folder_dirs(folders: Mapping[str, Mapping[str, Any]]) -> dict[str, PurePosixPath]:
    """folder id -> its directory, nested as the folders are. A folder whose parent the
    backup does not hold (or whose ancestors loop) sits at the top of `folders/`."""
    found: dict[str, PurePosixPath] = {}

    def place(folder_id: str, seen: frozenset[str]) -> PurePosixPath:
        if folder_id not in found:
            folder = folders[folder_id]
            here = name(BY_NAME[FOLDERS].title_of(folder), folder_id)
            parent = _text(folder.get("parent_id"))
            if parent is None or parent not in folders or parent in seen:
                found[folder_id] = PurePosixPath(FOLDERS, here)
            else:
                found[folder_id] = place(parent, seen | {folder_id}) / here
        return found[folder_id]

    for folder_id in folders:
        place(folder_id, frozenset({folder_id}))
    return found


def item_path(
    type_name: str, item_id: str, item: Mapping[str, Any], dirs: Mapping[str, PurePosixPath]
) -> PurePosixPath:
    """Where one item's file goes."""
    ct = BY_NAME[type_name]
    if type_name == FOLDERS:
        return dirs[item_id] / FOLDER_FILE
    file_name = name(ct.title_of(item), item_id) + SUFFIX
    folder = _text(item.get(ct.folder_field)) if ct.folder_field else None
    if type_name in FILED and folder is not None and folder in dirs:
        return dirs[folder] / type_name / file_name
    return PurePosixPath(type_name, file_name)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
