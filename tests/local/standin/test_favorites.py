"""Content favourites: seeded, searched, made from a content metadata record, and dropped with
their user or content."""

from __future__ import annotations

from collections import Counter

import looker_sdk
import pytest
from looker_sdk import models40 as m
from looker_sdk.sdk.api40.methods import Looker40SDK

from lookervault.local.standin import Profile, StandIn
from tests.support.looker_fixtures import StandInFactory, raw_call, sdk_for


def _codes(call: object) -> list[tuple[str, str]]:
    assert callable(call)
    with pytest.raises(looker_sdk.error.SDKError) as raised:
        call()
    return [(e.field, e.code) for e in raised.value.errors]


def _meta_id(standin: StandIn, type_name: str, index: int = 0) -> str:
    meta_id: str = standin.items(type_name)[index]["content_metadata_id"]
    return meta_id


def test_seeded_favourites_are_live_content_one_or_two_per_user(
    standin: StandIn, sdk: Looker40SDK
) -> None:
    favorites = sdk.search_content_favorites()
    assert len(favorites) == standin.counts()["content_favorites"] == 15
    assert set(Counter(f.user_id for f in favorites).values()) <= {1, 2}
    live = {
        (type_name, item["id"])
        for type_name in ("dashboards", "looks", "boards")
        for item in standin.items(type_name)
        if not item.get("deleted")
    }
    for favorite in favorites:
        kinds = [
            (name, value)
            for name, value in (
                ("dashboards", favorite.dashboard_id),
                ("looks", favorite.look_id),
                ("boards", favorite.board_id),
            )
            if value
        ]
        assert len(kinds) == 1 and kinds[0] in live
        if favorite.dashboard_id:
            assert favorite.dashboard is not None and favorite.dashboard.id == favorite.dashboard_id
        if favorite.look_id:
            assert favorite.look is not None and favorite.look.title


def test_search_filters_pages_sorts_and_projects(standin: StandIn, sdk: Looker40SDK) -> None:
    truth = standin.items("content_favorites")
    mine = sdk.search_content_favorites(user_id="2")
    assert {f.id for f in mine} == {f["id"] for f in truth if f["user_id"] == "2"}
    both = sdk.search_content_favorites(user_id="2,3")
    assert {f.id for f in both} == {f["id"] for f in truth if f["user_id"] in ("2", "3")}
    one = truth[0]
    found = sdk.search_content_favorites(content_metadata_id=one["content_metadata_id"])
    assert one["id"] in {f.id for f in found}
    for key in ("dashboard_id", "look_id", "board_id"):
        value = next((f[key] for f in truth if f[key]), None)
        if value is not None:
            hits = sdk.search_content_favorites(**{key: value})
            assert hits and all(getattr(f, key) == value for f in hits)
    page = sdk.search_content_favorites(limit=4, offset=2, sorts="id desc", fields="id")
    ids = sorted((f["id"] for f in truth), key=int, reverse=True)
    assert [f.id for f in page] == ids[2:6]
    assert standin.exchanges[-1].json()[0].keys() == {"id"}


def test_a_favourite_names_content_by_its_content_metadata(
    standin: StandIn, sdk: Looker40SDK
) -> None:
    board = standin.items("boards")[0]
    made = sdk.create_content_favorite(
        m.WriteContentFavorite(user_id="2", content_metadata_id=board["content_metadata_id"])
    )
    assert (made.board_id, made.dashboard_id, made.look_id) == (board["id"], None, None)
    assert sdk.content_favorite(made.id).content_metadata_id == board["content_metadata_id"]
    assert _codes(
        lambda: sdk.create_content_favorite(
            m.WriteContentFavorite(user_id="2", content_metadata_id=board["content_metadata_id"])
        )
    ) == [("content_metadata_id", "already_exists")]
    folder_meta = sdk.folder("1").content_metadata_id
    for meta_id in (folder_meta, "424242"):
        assert _codes(
            lambda meta_id=meta_id: sdk.create_content_favorite(
                m.WriteContentFavorite(user_id="2", content_metadata_id=meta_id)
            )
        ) == [("content_metadata_id", "invalid")]
    dashboard_meta = _meta_id(standin, "dashboards", 3)
    assert _codes(
        lambda: sdk.create_content_favorite(
            m.WriteContentFavorite(user_id="424242", content_metadata_id=dashboard_meta)
        )
    ) == [("user_id", "invalid")]
    mine = raw_call(standin, "POST", "/content_favorite", {"content_metadata_id": dashboard_meta})
    assert mine.status_code == 200 and mine.json()["user_id"] == "1"
    assert raw_call(standin, "POST", "/content_favorite", {"user_id": "2"}).status_code == 422
    sdk.delete_content_favorite(made.id)
    with pytest.raises(looker_sdk.error.SDKError):
        sdk.content_favorite(made.id)
    assert standin.exchanges[-1].status == 404


def test_favourites_go_with_deleted_content_and_users_not_trashed_content(
    standin: StandIn, sdk: Looker40SDK
) -> None:
    dashboard = sdk.create_dashboard(m.WriteDashboard(title="Loved", folder_id="1"))
    look = sdk.create_look(m.WriteLookWithQuery(title="Loved", folder_id="1", query_id="1"))
    user = sdk.create_user(m.WriteUser(first_name="Fan"))
    for meta_id in (dashboard.content_metadata_id, look.content_metadata_id):
        for user_id in ("2", user.id):
            sdk.create_content_favorite(
                m.WriteContentFavorite(user_id=user_id, content_metadata_id=meta_id)
            )
    sdk.update_dashboard(dashboard.id, m.WriteDashboard(deleted=True))
    assert len(sdk.search_content_favorites(dashboard_id=dashboard.id)) == 2
    sdk.delete_dashboard(dashboard.id)
    assert sdk.search_content_favorites(dashboard_id=dashboard.id) == []
    sdk.delete_user(user.id)
    assert [f.user_id for f in sdk.search_content_favorites(look_id=look.id)] == ["2"]
    sdk.delete_look(look.id)
    board = sdk.create_board(m.WriteBoard(title="Loved board"))
    sdk.create_content_favorite(
        m.WriteContentFavorite(user_id="2", content_metadata_id=board.content_metadata_id)
    )
    sdk.delete_board(board.id)
    assert sdk.search_content_favorites(board_id=board.id) == []


def test_include_board_items_adds_the_boards_dashboards_and_looks(
    standin: StandIn, sdk: Looker40SDK
) -> None:
    board = standin.items("boards")[0]
    items = [i for s in board["board_sections"] for i in s["board_items"]]
    item = items[0]
    key, table = ("dashboard_id", "dashboards") if item["dashboard_id"] else ("look_id", "looks")
    target = next(t for t in standin.items(table) if t["id"] == item[key])
    favorite = sdk.create_content_favorite(
        m.WriteContentFavorite(user_id="1", content_metadata_id=target["content_metadata_id"])
    )
    plain = {f.id for f in sdk.search_content_favorites(board_id=board["id"])}
    wide = {
        f.id for f in sdk.search_content_favorites(board_id=board["id"], include_board_items=True)
    }
    assert favorite.id not in plain and favorite.id in wide and plain <= wide


@pytest.mark.parametrize("profile", ["lenient", "strict"])
def test_a_search_without_user_id_sees_everyones_or_only_the_callers(
    standin_factory: StandInFactory, profile: Profile
) -> None:
    standin = standin_factory(profile=profile, pending=True)
    sdk = sdk_for(standin)
    truth = standin.items("content_favorites")
    found = sdk.search_content_favorites()
    assert len(sdk_for(standin_factory(profile=profile)).search_content_favorites()) == len(truth)
    if profile == "lenient":
        assert len(found) == len(truth)
    else:
        assert {f.user_id for f in found} == {"1"}
        assert len(found) == sum(f["user_id"] == "1" for f in truth)


def test_user_id_takes_a_comma_separated_list(standin: StandIn, sdk: Looker40SDK) -> None:
    truth = standin.items("content_favorites")
    wanted = {"2", "3"}
    found = sdk.search_content_favorites(user_id="2,3")
    assert {f.user_id for f in found} == wanted
    assert len(found) == sum(f["user_id"] in wanted for f in truth)
