"""Colour collections (standard and custom, the default, ids of the instance's own) and themes
(the built-in Looker theme, custom ones, the default, search by active period, the licence)."""

from __future__ import annotations

import looker_sdk
import pytest
from looker_sdk import models40 as m

from lookervault.local.standin import SeedSize
from tests.support.looker_fixtures import StandInFactory, raw_call, sdk_for


def _palette(label: str) -> m.ColorCollection:
    return m.ColorCollection(
        label=label,
        categoricalPalettes=[
            m.DiscretePalette(label="Cat", type="Categorical", colors=["#000000"])
        ],
        sequentialPalettes=[],
        divergingPalettes=[],
    )


def test_standard_collections_are_built_in_and_custom_ones_are_written(
    standin_factory: StandInFactory,
) -> None:
    sdk = sdk_for(standin_factory(seed=SeedSize.empty()))
    standard = sdk.color_collections_standard()
    assert [c.id for c in standard] == ["looker", "google", "dashboard"]
    assert sdk.color_collections_custom() == []
    assert sdk.default_color_collection().id == "looker"
    for refused in (
        lambda: sdk.update_color_collection("looker", m.WriteColorCollection(label="Mine")),
        lambda: sdk.delete_color_collection("google"),
    ):
        with pytest.raises(looker_sdk.error.SDKError):
            refused()
    made = sdk.create_color_collection(_palette("Brand"))
    assert made.id and made.id not in ("looker", "google", "dashboard")
    assert made.categoricalPalettes and made.categoricalPalettes[0].id == f"{made.id}-categorical-0"
    assert [c.id for c in sdk.color_collections_custom()] == [made.id]
    assert len(sdk.all_color_collections()) == 4
    renamed = sdk.update_color_collection(made.id, m.WriteColorCollection(label="Brand 2"))
    assert renamed.label == "Brand 2" and sdk.color_collection(made.id).label == "Brand 2"
    assert sdk.set_default_color_collection(collection_id=made.id).id == made.id
    assert sdk.default_color_collection().id == made.id
    sdk.delete_color_collection(made.id)
    assert sdk.default_color_collection().id == "looker"


def test_custom_collection_ids_belong_to_their_instance(standin_factory: StandInFactory) -> None:
    seeded = [
        standin_factory(seed=SeedSize(color_collections=3), seed_value=value) for value in (1, 2)
    ]
    collections = [
        {c.label: c.id for c in sdk_for(standin).color_collections_custom()} for standin in seeded
    ]
    assert collections[0].keys() == collections[1].keys() == {"Brand", "Finance", "Ocean"}
    assert not set(collections[0].values()) & set(collections[1].values())
    sdk = sdk_for(seeded[0])
    assert sdk.default_color_collection().id == collections[0]["Brand"]
    named = [
        e["query"]["vis_config"]["color_application"]
        for d in seeded[0].items("dashboards")
        for e in d["dashboard_elements"]
        if "color_application" in ((e.get("query") or {}).get("vis_config") or {})
    ]
    assert named and {n["collection_id"] for n in named} <= set(collections[0].values())
    palettes = {p.id for c in sdk.color_collections_custom() for p in c.categoricalPalettes or []}
    assert {n["palette_id"] for n in named} <= palettes


def test_the_looker_theme_is_built_in_and_custom_themes_are_written(
    standin_factory: StandInFactory,
) -> None:
    standin = standin_factory(seed=SeedSize.empty())
    sdk = sdk_for(standin)
    assert [(t.id, t.name) for t in sdk.all_themes()] == [("1", "Looker")]
    assert sdk.default_theme().name == "Looker"
    made = sdk.create_theme(m.WriteTheme(name="brand_dark"))
    assert made.settings and made.settings.show_title is True
    assert made.settings.background_color == sdk.theme("1").settings.background_color
    assert sdk.set_default_theme(name="brand_dark").id == made.id
    assert sdk.default_theme().id == made.id
    assert raw_call(standin, "POST", "/themes", {"name": "has space"}).status_code == 422
    assert raw_call(standin, "PATCH", "/themes/1", {"name": "Renamed"}).status_code == 422
    assert raw_call(standin, "DELETE", "/themes/1").status_code == 400
    later = raw_call(
        standin, "POST", "/themes", {"name": "future", "begin_at": "2999-01-01T00:00:00Z"}
    )
    assert later.status_code == 200
    assert raw_call(standin, "PUT", "/themes/default?name=future").status_code == 404
    found = sdk.search_themes(begin_at="2998-01-01T00:00:00Z")
    assert {t.name for t in found} == {"Looker", "brand_dark", "future"}
    assert {t.name for t in sdk.search_themes(name="brand%")} == {"brand_dark"}
    sdk.delete_theme(made.id)
    assert sdk.default_theme().name == "Looker"


def test_seeded_themes_use_custom_collections(standin_factory: StandInFactory) -> None:
    sdk = sdk_for(standin_factory(seed=SeedSize.everything()))
    custom = {c.id for c in sdk.color_collections_custom()}
    themes = [t for t in sdk.all_themes() if t.name != "Looker"]
    assert len(themes) == 2
    assert all(t.settings and t.settings.color_collection_id in custom for t in themes)
    assert sdk.default_theme().name == themes[0].name


def test_without_the_licence_theme_writes_are_refused(standin_factory: StandInFactory) -> None:
    standin = standin_factory(seed=SeedSize.empty(), custom_themes=False)
    sdk = sdk_for(standin)
    assert [t.name for t in sdk.all_themes()] == ["Looker"]
    assert raw_call(standin, "POST", "/themes", {"name": "mine"}).status_code == 403
    assert raw_call(standin, "PUT", "/themes/default?name=Looker").status_code == 403
    assert sdk.default_theme().name == "Looker"
