"""What a Looker release's API 4.0 has, where the stand-in models a difference between releases.

From the history of the official spec (looker-open-source/sdk-codegen
`spec/Looker.4.0.oas.json`, one commit per release):
- `create_dashboard_from_lookml` (`POST /dashboards/from_lookml`) is first in 22.2.19;
  `import_dashboard_from_lookml` (`POST /dashboards/lookml`) first in 22.8.73.
- Through 23.2.26 both document `200: DashboardLookml` (`dashboard_id`, `folder_id`,
  `lookml`: no `id`) besides `201: Dashboard`; from 23.4.29 on, `200: Dashboard` only.
- `DashboardLayout.label` and `order` (a layout as a dashboard tab) are first in 25.18
  (f3ce99d7); `DashboardLayoutComponent.granular_row`, `granular_column`, `granular_width`
  and `granular_height` in 26.0 (3b36a3c7). Before, a layout or component has no such keys.
"""

from __future__ import annotations

import re
from typing import Literal

ImportAnswer = Literal["absent", "dashboard_lookml", "dashboard"]

ALIAS_FROM = (22, 2)
IMPORT_FROM = (22, 8)
DASHBOARD_ANSWER_FROM = (23, 4)
LAYOUT_TABS_FROM = (25, 18)
GRANULAR_FROM = (26, 0)
_RELEASE = re.compile(r"(\d+)\.(\d+)(?:\.(\d+))?")


def release_key(release: str) -> tuple[int, int]:
    """(major, minor) of a release such as "23.2.26"; ValueError for anything else."""
    match = _RELEASE.fullmatch(release)
    if match is None:
        raise ValueError(f"not a Looker release (like 25.20.17): {release!r}")
    return int(match[1]), int(match[2])


def lookml_import_answer(release: str, *, alias: bool) -> ImportAnswer:
    """How the dashboard LookML import (`alias`: its deprecated alias) answers on a release:
    not there at all, a `DashboardLookml`, or the new `Dashboard`."""
    key = release_key(release)
    if key < (ALIAS_FROM if alias else IMPORT_FROM):
        return "absent"
    return "dashboard" if key >= DASHBOARD_ANSWER_FROM else "dashboard_lookml"


def layout_tabs(release: str) -> bool:
    """Whether a dashboard layout has a tab's `label` and `order` on this release."""
    return release_key(release) >= LAYOUT_TABS_FROM


def granular_positions(release: str) -> bool:
    """Whether a layout component has the `granular_*` positions on this release."""
    return release_key(release) >= GRANULAR_FROM
