"""The parts of a seed that are off by default (`SeedSize` counts after `tiles`), added to a
generated seed so the default seed stays exactly as it was until a client supports each.

Each part is drawn from a stream of its own and takes ids from the sequences after everything
else, so turning one on changes nothing the others drew:
- values set on users' own accounts for custom user attributes;
- custom attributes made hidden (`value_is_hidden`, with a domain allowlist), whose group and
  user values the API then shows as null;
- boards with access of their own (not inheriting; view or edit for groups or users);
- trashed boards (`deleted_at` set);
- dashboards with tabs: two or three layouts with `label` and `order`, each tile on one tab,
  placed on the coarse and the granular grid;
- custom colour collections (ids the instance made; the first one the default), and tiles
  whose `vis_config` names one of them in `color_application`;
- custom themes, each using a custom colour collection when there is one; the first one the
  default.
"""

from __future__ import annotations

import random
import string

from lookervault.local.standin import shapes, styles
from lookervault.local.standin.seed import TOPICS, Seeded, SeedSize
from lookervault.local.standin.shapes import Json
from lookervault.local.standin.types import STANDARD_COLLECTIONS

USER_VALUES = ["EMEA", "APAC", "AMER", "finance", "sales", "north", "south"]
TAB_LABELS = ["Overview", "Details", "Trends"]
COLLECTION_LABELS = ["Brand", "Finance", "Ocean", "Sunset", "Forest"]
ALLOWED_DOMAINS = "https://*.example.com/*"
PALETTE = string.digits + "ABCDEF"


def add_parts(seeded: Seeded, size: SeedSize, seed_value: int) -> None:
    """Add every part `size` asks for to `seeded`, in place."""

    def rng(part: str) -> random.Random:
        return random.Random(f"{part}-{seed_value}")

    _user_values(seeded, size.user_attribute_user_values, rng("user-values"))
    _hidden_attributes(seeded, size.hidden_attributes, rng("hidden-attributes"))
    _private_boards(seeded, size.private_boards, rng("private-boards"))
    _trashed_boards(seeded, size.trashed_boards, rng("trashed-boards"))
    _tabbed_dashboards(seeded, size.tabbed_dashboards, rng("tabs"))
    _color_collections(seeded, size.color_collections, rng("colors"))
    _themes(seeded, size.themes, rng("themes"))


def _custom_attributes(seeded: Seeded) -> list[Json]:
    return [a for a in seeded.objects["user_attributes"].values() if not a["is_system"]]


def _user_values(seeded: Seeded, n: int, rng: random.Random) -> None:
    """n values on users' accounts, no user twice for one attribute."""
    pairs = [
        (user_id, attribute["id"])
        for user_id in seeded.objects["users"]
        for attribute in _custom_attributes(seeded)
    ]
    for user_id, attribute_id in sorted(rng.sample(pairs, min(n, len(pairs)))):
        value_id = seeded.new_id("user_attribute_user_values")
        made = shapes.user_attribute_user_value(
            value_id, user_id, attribute_id, rng.choice(USER_VALUES)
        )
        seeded.objects["user_attribute_user_values"][value_id] = made


def _hidden_attributes(seeded: Seeded, n: int, rng: random.Random) -> None:
    """n custom attributes whose values users and the API may not see."""
    custom = _custom_attributes(seeded)
    for attribute in rng.sample(custom, min(n, len(custom))):
        attribute.update(
            value_is_hidden=True,
            user_can_view=False,
            user_can_edit=False,
            hidden_value_domain_whitelist=ALLOWED_DOMAINS,
        )


def _private_boards(seeded: Seeded, n: int, rng: random.Random) -> None:
    """n boards that stop inheriting: one or two groups or users get view or edit."""
    boards = list(seeded.objects["boards"].values())
    principals = [("group_id", g) for g in seeded.objects["groups"]]
    principals += [("user_id", u) for u in seeded.objects["users"]]
    for board in rng.sample(boards, min(n, len(boards))):
        seeded.objects["content_metadata"][board["content_metadata_id"]]["inherits"] = False
        for principal in rng.sample(principals, min(len(principals), rng.randint(1, 2))):
            access_id = seeded.new_id("content_metadata_access")
            entry = shapes.content_access(
                access_id, board["content_metadata_id"], rng.choice(["view", "edit"]), principal
            )
            seeded.objects["content_metadata_access"][access_id] = entry


def _trashed_boards(seeded: Seeded, n: int, rng: random.Random) -> None:
    boards = list(seeded.objects["boards"].values())
    for board in rng.sample(boards, min(n, len(boards))):
        board["deleted_at"] = board["updated_at"]


def _tabbed_dashboards(seeded: Seeded, n: int, rng: random.Random) -> None:
    """n live dashboards with two tiles or more get two or three tabs; each tile is on one."""
    candidates = [
        d
        for d in seeded.objects["dashboards"].values()
        if not d["deleted"] and len(d["dashboard_elements"]) >= 2
    ]
    for dashboard in rng.sample(candidates, min(n, len(candidates))):
        first = dashboard["dashboard_layouts"][0]
        components = first["dashboard_layout_components"]
        tabs = [{**first, "label": TAB_LABELS[0], "order": 0}]
        for order in range(1, min(len(components), rng.randint(2, 3))):
            tab = shapes.dashboard_layout()
            tab.update(
                id=seeded.new_id("dashboard_layouts"),
                dashboard_id=dashboard["id"],
                active=False,
                label=TAB_LABELS[order],
                order=order,
            )
            tabs.append(tab)
        placed: list[list[Json]] = [[] for _ in tabs]
        for index, component in enumerate(components):
            placed[index % len(tabs)].append(component)
        for tab, own in zip(tabs, placed, strict=True):
            tab["dashboard_layout_components"] = [
                _on_tab(component, tab["id"], place, rng) for place, component in enumerate(own)
            ]
        dashboard["dashboard_layouts"] = tabs


def _on_tab(component: Json, tab_id: str, place: int, rng: random.Random) -> Json:
    """The component on its tab, three to a row, with a granular place a little finer than
    the coarse one (some tiles narrower than whole coarse cells)."""
    row, column = (place // 3) * 6, (place % 3) * 8
    return {
        **component,
        "dashboard_layout_id": tab_id,
        "row": row,
        "column": column,
        "granular_row": row * shapes.GRANULAR_SCALE,
        "granular_column": column * shapes.GRANULAR_SCALE,
        "granular_width": component["width"] * shapes.GRANULAR_SCALE - rng.choice([0, 0, 2]),
        "granular_height": component["height"] * shapes.GRANULAR_SCALE,
    }


def _color_collections(seeded: Seeded, n: int, rng: random.Random) -> None:
    """n custom collections with ids of this instance (the first the default), and about
    one tile in three showing a query names one of them and its categorical palette."""
    made = []
    for index in range(n):
        label = COLLECTION_LABELS[index % len(COLLECTION_LABELS)]
        label += (
            f" {index // len(COLLECTION_LABELS) + 1}" if index >= len(COLLECTION_LABELS) else ""
        )
        collection_id = "".join(rng.choices(string.ascii_lowercase + string.digits, k=12))
        colors = tuple("#" + "".join(rng.choices(PALETTE, k=6)) for _ in range(6))
        custom = styles.collection(collection_id, label, colors)
        seeded.objects["color_collections"][collection_id] = custom
        made.append(custom)
    if not made:
        return
    seeded.defaults["color_collection"] = made[0]["id"]
    for dashboard in seeded.objects["dashboards"].values():
        for element in dashboard["dashboard_elements"]:
            query = seeded.objects["queries"].get(element["query_id"] or "")
            if query is None or rng.random() >= 1 / 3:
                continue
            chosen = rng.choice(made)
            query["vis_config"] = {
                **query["vis_config"],
                "color_application": {
                    "collection_id": chosen["id"],
                    "palette_id": chosen["categoricalPalettes"][0]["id"],
                },
            }


def _themes(seeded: Seeded, n: int, rng: random.Random) -> None:
    """n custom themes (the first the default), each on a custom colour collection when the
    instance has one."""
    collections = seeded.objects["color_collections"].values()
    custom = [c for c in collections if c["id"] not in STANDARD_COLLECTIONS]
    for index in range(n):
        made = shapes.theme()
        settings = shapes.theme_settings()
        settings["background_color"] = "#" + "".join(rng.choices(PALETTE, k=6))
        if custom:
            settings["color_collection_id"] = rng.choice(custom)["id"]
        made.update(
            id=seeded.new_id("themes"),
            name=f"{rng.choice(TOPICS).lower()}_{index + 1}",
            settings=settings,
        )
        seeded.objects["themes"][made["id"]] = made
        if index == 0:
            seeded.defaults["theme"] = made["name"]
