"""Dashboard tabs (layouts with a label and an order, 25.18 on) and granular tile positions
(26.0 on): seeded, created, moved between, and what each profile does where the spec is
silent."""

from __future__ import annotations

import looker_sdk
import pytest
from looker_sdk import models40 as m
from looker_sdk.sdk.api40.methods import Looker40SDK

from lookervault.local.standin import SeedSize, StandIn
from tests.support.looker_fixtures import StandInFactory, raw_call, sdk_for

GRANULAR = ("granular_row", "granular_column", "granular_width", "granular_height")


def _tabbed(standin: StandIn) -> dict:
    tabbed = [d for d in standin.items("dashboards") if len(d["dashboard_layouts"]) > 1]
    assert len(tabbed) == 2
    return tabbed[0]


def test_seeded_tabs_hold_each_tile_once_with_label_and_order(
    standin_factory: StandInFactory,
) -> None:
    standin = standin_factory(seed=SeedSize(tabbed_dashboards=2))
    dashboard = _tabbed(standin)
    layouts = sdk_for(standin).dashboard_dashboard_layouts(dashboard["id"])
    assert [(lay.order, lay.label) for lay in layouts][:2] == [(0, "Overview"), (1, "Details")]
    placed = [
        c.dashboard_element_id for lay in layouts for c in lay.dashboard_layout_components or []
    ]
    assert sorted(placed) == sorted(e["id"] for e in dashboard["dashboard_elements"])
    assert [lay.active for lay in layouts].count(True) == 1
    shown = raw_call(standin, "GET", f"/dashboard_layouts/{layouts[0].id}").json()
    assert not set(GRANULAR) & set(shown["dashboard_layout_components"][0])


@pytest.mark.parametrize(
    ("release", "tabs", "granular"),
    [("23.2.26", False, False), ("25.18.0", True, False), ("26.0.1", True, True)],
)
def test_the_release_decides_which_keys_a_layout_has(
    standin_factory: StandInFactory, release: str, tabs: bool, granular: bool
) -> None:
    standin = standin_factory(
        seed=SeedSize(tabbed_dashboards=2), release=release, tabs_follow_release=True
    )
    dashboard = _tabbed(standin)
    layout = raw_call(standin, "GET", f"/dashboards/{dashboard['id']}").json()["dashboard_layouts"][
        0
    ]
    assert ("label" in layout and "order" in layout) is tabs
    component = layout["dashboard_layout_components"][0]
    assert set(GRANULAR) <= set(component) if granular else not set(GRANULAR) & set(component)
    if granular:
        assert component["granular_row"] == component["row"] * 4
    plain = standin_factory(seed=SeedSize(tabbed_dashboards=2), release=release)
    shown = raw_call(plain, "GET", f"/dashboards/{dashboard['id']}").json()["dashboard_layouts"]
    assert "label" in shown[0] and "order" in shown[0]


@pytest.mark.parametrize("profile", ["lenient", "strict"])
def test_a_new_tab_and_a_new_tile_are_placed_as_the_profile_says(
    standin_factory: StandInFactory, profile: str
) -> None:
    standin = standin_factory(profile=profile, release="25.20.17")
    sdk = sdk_for(standin)
    dashboard = standin.items("dashboards")[0]
    tiles = len(dashboard["dashboard_elements"])
    tab = sdk.create_dashboard_layout(
        m.WriteDashboardLayout(dashboard_id=dashboard["id"], label="Second")
    )
    assert (tab.label, tab.order, tab.active) == ("Second", 1, False)
    everywhere = profile == "lenient"
    assert len(tab.dashboard_layout_components or []) == (tiles if everywhere else 0)
    sdk.create_dashboard_element(
        m.WriteDashboardElement(dashboard_id=dashboard["id"], type="text", title_text="Note")
    )
    counts = [
        len(lay.dashboard_layout_components or [])
        for lay in sdk.dashboard_dashboard_layouts(dashboard["id"])
    ]
    assert counts == ([tiles + 1, tiles + 1] if everywhere else [tiles + 1, 0])


def test_a_tile_moves_to_another_tab_unless_it_is_there_already(
    standin_factory: StandInFactory,
) -> None:
    standin = standin_factory(seed=SeedSize(tabbed_dashboards=2))
    sdk = sdk_for(standin)
    dashboard = _tabbed(standin)
    first, second = dashboard["dashboard_layouts"][:2]
    component = first["dashboard_layout_components"][0]
    moved = sdk.update_dashboard_layout_component(
        component["id"], m.WriteDashboardLayoutComponent(dashboard_layout_id=second["id"], row=30)
    )
    assert (moved.dashboard_layout_id, moved.row) == (second["id"], 30)
    on_second = sdk.dashboard_layout_dashboard_layout_components(second["id"])
    assert component["id"] in {c.id for c in on_second}
    assert component["id"] not in {
        c.id for c in sdk.dashboard_layout_dashboard_layout_components(first["id"])
    }
    other = second["dashboard_layout_components"][0]
    back = sdk.update_dashboard_layout_component(
        other["id"], m.WriteDashboardLayoutComponent(dashboard_layout_id=first["id"])
    )
    assert back.dashboard_layout_id == first["id"]
    with pytest.raises(looker_sdk.error.SDKError) as refused:
        sdk.update_dashboard_layout_component(
            other["id"], m.WriteDashboardLayoutComponent(dashboard_layout_id="999")
        )
    assert [e.field for e in refused.value.errors] == ["dashboard_layout_id"]


@pytest.mark.parametrize("profile", ["lenient", "strict"])
def test_granular_positions_are_derived_only_in_lenient(
    standin_factory: StandInFactory, profile: str
) -> None:
    standin = standin_factory(profile=profile, release="26.2.0")
    sdk = sdk_for(standin)
    component = standin.items("dashboards")[0]["dashboard_layouts"][0][
        "dashboard_layout_components"
    ][0]
    coarse = sdk.update_dashboard_layout_component(
        component["id"], m.WriteDashboardLayoutComponent(row=2)
    )
    fine = sdk.update_dashboard_layout_component(
        component["id"], m.WriteDashboardLayoutComponent(granular_column=10)
    )
    if profile == "lenient":
        assert (coarse.granular_row, fine.column) == (8, 2)
    else:
        assert (coarse.granular_row, fine.column) == (None, component["column"])
    assert fine.granular_column == 10


def test_an_inactive_tab_is_deleted_with_its_tiles_places(
    standin: StandIn, sdk: Looker40SDK
) -> None:
    dashboard = standin.items("dashboards")[0]
    tab = sdk.create_dashboard_layout(
        m.WriteDashboardLayout(dashboard_id=dashboard["id"], label="Gone")
    )
    assert tab.id
    sdk.delete_dashboard_layout(tab.id)
    assert [lay.id for lay in sdk.dashboard_dashboard_layouts(dashboard["id"])] == [
        dashboard["dashboard_layouts"][0]["id"]
    ]
    with pytest.raises(looker_sdk.error.SDKError):
        sdk.delete_dashboard_layout(dashboard["dashboard_layouts"][0]["id"])
