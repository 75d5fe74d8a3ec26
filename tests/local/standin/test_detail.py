"""Detail endpoints: full objects with their relations, and Looker's error bodies."""

from __future__ import annotations

from datetime import datetime

import looker_sdk
import pytest
from looker_sdk.sdk.api40.methods import Looker40SDK

from lookervault.local.standin import StandIn


def test_dashboard_detail_has_elements_filters_and_layouts(
    standin: StandIn, sdk: Looker40SDK
) -> None:
    for truth in standin.items("dashboards"):
        got = sdk.dashboard(truth["id"])
        elements = got.dashboard_elements or []
        assert [e.id for e in elements] == [e["id"] for e in truth["dashboard_elements"]]
        assert [f.id for f in got.dashboard_filters or []] == [
            f["id"] for f in truth["dashboard_filters"]
        ]
        layouts = got.dashboard_layouts or []
        assert len(layouts) == 1 and layouts[0].active
        components = layouts[0].dashboard_layout_components or []
        assert {c.dashboard_element_id for c in components} == {e.id for e in elements}
        for element in elements:
            if element.look_id:
                assert element.look is not None and element.look.id == element.look_id
                assert element.look.query is not None
            if element.query_id:
                assert element.query is not None and element.query.id == element.query_id


def test_detail_of_every_type_matches_ground_truth(standin: StandIn, sdk: Looker40SDK) -> None:
    getters = {
        "looks": sdk.look,
        "folders": sdk.folder,
        "boards": sdk.board,
        "users": sdk.user,
        "groups": sdk.group,
        "roles": sdk.role,
        "permission_sets": sdk.permission_set,
        "model_sets": sdk.model_set,
        "user_attributes": sdk.user_attribute,
        "scheduled_plans": sdk.scheduled_plan,
        "alerts": sdk.get_alert,
        "lookml_models": sdk.lookml_model,
        "content_favorites": sdk.content_favorite,
    }
    for type_name, get in getters.items():
        key = "name" if type_name == "lookml_models" else "id"
        truth = standin.items(type_name)[-1]
        got = get(truth[key])
        assert getattr(got, key) == truth[key], type_name
    look = sdk.look(standin.items("looks")[0]["id"])
    assert look.query is not None and look.query.id == look.query_id
    role = sdk.role("1")
    assert role.permission_set is not None and role.permission_set.all_access
    board = sdk.board(standin.items("boards")[0]["id"])
    items = [i for s in board.board_sections or [] for i in s.board_items or []]
    assert items and all(i.dashboard_id or i.look_id for i in items)


def test_soft_deleted_dashboard_is_still_served_by_id(standin: StandIn, sdk: Looker40SDK) -> None:
    gone = next(d for d in standin.items("dashboards") if d["deleted"])
    got = sdk.dashboard(gone["id"])
    assert got.deleted is True
    assert got.deleted_at == datetime.fromisoformat(gone["deleted_at"])


def test_missing_object_is_a_404_sdk_error(standin: StandIn, sdk: Looker40SDK) -> None:
    with pytest.raises(looker_sdk.error.SDKError) as raised:
        sdk.dashboard("999999")
    assert raised.value.message == "Not found"
    assert raised.value.documentation_url.startswith("https://")
    assert raised.value.error_doc_url == ""
    assert standin.exchanges[-1].status == 404


def test_bad_fields_expression_is_a_400(standin: StandIn, sdk: Looker40SDK) -> None:
    with pytest.raises(looker_sdk.error.SDKError):
        sdk.folder("1", fields="id,name,looks(id")
    assert standin.exchanges[-1].status == 400
