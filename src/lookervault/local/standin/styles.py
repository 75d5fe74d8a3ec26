"""Colour collections and themes as Looker shapes them: a collection's palettes with ids of
their own, the standard collections every instance ships, and Looker's own theme.

A custom collection's id is made by the instance that holds it (two instances give two ids
to collections of the same label), so a client that copies a dashboard's `vis_config` from
one instance to another names a collection the target does not have; standard collections
keep their ids everywhere.
"""

from __future__ import annotations

from lookervault.local.standin import shapes
from lookervault.local.standin.shapes import Json
from lookervault.local.standin.types import LOOKER_THEME_ID, STANDARD_COLLECTIONS

PALETTE_KINDS = (
    ("categoricalPalettes", "categorical"),
    ("sequentialPalettes", "sequential"),
    ("divergingPalettes", "diverging"),
)
"""A collection's palette lists and the `type` of the palettes in each."""

STANDARD_COLORS = {
    "looker": ("#3EB0D5", "#B1399E", "#C25571", "#9174F0", "#FD9577", "#4276BE"),
    "google": ("#4285F4", "#EA4335", "#FBBC04", "#34A853", "#5F6368", "#185ABC"),
    "dashboard": ("#1A73E8", "#12B5CB", "#E52592", "#E8710A", "#F9AB00", "#7CB342"),
}


def collection(collection_id: str, label: str, colors: tuple[str, ...]) -> Json:
    """A collection with one palette of each kind, drawn from `colors`; each palette's id is
    the collection's id, its kind and its place ("looker-categorical-0", as Looker's
    standard ones are; UNCONFIRMED for custom ones)."""
    made = shapes.color_collection()
    made.update(id=collection_id, label=label)
    made["categoricalPalettes"] = [
        {"label": f"{label} Categorical", "type": "Categorical", "colors": list(colors)}
    ]
    made["sequentialPalettes"] = [
        {"label": f"{label} Sequential", "type": "Sequential", "stops": _stops(colors[:2])}
    ]
    made["divergingPalettes"] = [
        {"label": f"{label} Diverging", "type": "Diverging", "stops": _stops(colors[:3])}
    ]
    return with_palette_ids(made)


def with_palette_ids(made: Json) -> Json:
    """Every palette of the collection named after the collection, its kind and its place
    (Looker makes palette ids: they are read-only)."""
    for key, kind in PALETTE_KINDS:
        made[key] = [
            {**palette, "id": f"{made['id']}-{kind}-{index}"}
            for index, palette in enumerate(made[key])
        ]
    return made


def palette_ids(made: Json) -> list[str]:
    return [palette["id"] for key, _ in PALETTE_KINDS for palette in made[key]]


def standard_collections() -> list[Json]:
    return [
        collection(collection_id, collection_id.title(), STANDARD_COLORS[collection_id])
        for collection_id in STANDARD_COLLECTIONS
    ]


def looker_theme() -> Json:
    """The theme every instance has, named "Looker", always active."""
    made = shapes.theme()
    made.update(id=LOOKER_THEME_ID, name="Looker")
    return made


def _stops(colors: tuple[str, ...]) -> list[Json]:
    step = 100 // max(1, len(colors) - 1)
    return [{"color": color, "offset": index * step} for index, color in enumerate(colors)]
