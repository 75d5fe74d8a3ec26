"""What Looker refuses on writes (issue 16), shown through the real looker_sdk where the SDK
has the call, and with raw JSON where its typed models cannot send the body."""

from __future__ import annotations

import looker_sdk
import pytest
import requests
from looker_sdk import models40 as m
from looker_sdk.sdk.api40.methods import Looker40SDK

from lookervault.local.standin import StandIn
from lookervault.local.standin.wire import DOCUMENTATION_URL
from tests.support.looker_fixtures import StandInFactory, raw_call, sdk_for


def _refused(call: object) -> looker_sdk.error.SDKError:
    assert callable(call)
    with pytest.raises(looker_sdk.error.SDKError) as raised:
        call()
    return raised.value


def _details(error: looker_sdk.error.SDKError) -> list[tuple[str, str, str]]:
    assert error.message == "Validation Failed"
    assert error.documentation_url == DOCUMENTATION_URL
    return [(e.field, e.code, e.message) for e in error.errors]


def _looker_422(answer: requests.Response) -> list[tuple[str, str]]:
    """The (field, code) pairs of a 422 in Looker's shape, after checking that shape."""
    assert answer.status_code == 422, answer.text
    body = answer.json()
    assert set(body) == {"message", "documentation_url", "errors"}
    assert body["message"] == "Validation Failed"
    for error in body["errors"]:
        assert set(error) == {"field", "code", "message", "documentation_url"}
    return [(e["field"], e["code"]) for e in body["errors"]]


# ---- 1. queries are immutable and deduplicated -------------------------------------------


def test_queries_cannot_be_changed_or_deleted(standin_factory: StandInFactory) -> None:
    standin = standin_factory(check_spec=False)
    before = standin.items("queries")[0]
    for method in ("PATCH", "DELETE"):
        answer = raw_call(standin, method, f"/queries/{before['id']}", {"model": "other"})
        assert answer.status_code == 405
        assert answer.headers["Allow"] == "GET"
        assert set(answer.json()) == {"message", "documentation_url"}
    assert standin.items("queries")[0] == before


def test_an_identical_query_is_the_existing_query(standin: StandIn, sdk: Looker40SDK) -> None:
    seeded = standin.items("queries")[0]
    same = sdk.create_query(
        m.WriteQuery(
            model=seeded["model"],
            view=seeded["view"],
            fields=seeded["fields"],
            filters=seeded["filters"],
            sorts=seeded["sorts"],
            limit=seeded["limit"],
            vis_config=seeded["vis_config"],
        )
    )
    assert same.id == seeded["id"] and same.slug == seeded["slug"]
    count = len(standin.items("queries"))
    fresh = sdk.create_query(m.WriteQuery(model="ecommerce", view="orders", fields=["orders.id"]))
    assert fresh.id not in {q["id"] for q in standin.items("queries")[:count]}
    assert fresh.slug and len(fresh.slug) == 7 and fresh.client_id and len(fresh.client_id) == 22
    again = sdk.create_query(m.WriteQuery(model="ecommerce", view="orders", fields=["orders.id"]))
    assert again.id == fresh.id and len(standin.items("queries")) == count + 1
    assert sdk.query(fresh.id).fields == ["orders.id"]
    assert sdk.query_for_slug(fresh.slug).id == fresh.id


# ---- 2. dashboard elements need content ---------------------------------------------------


def test_a_tile_without_a_data_source_is_refused(standin: StandIn, sdk: Looker40SDK) -> None:
    dashboard = sdk.create_dashboard(m.WriteDashboard(title="Tiles", folder_id="1"))
    error = _refused(
        lambda: sdk.create_dashboard_element(
            m.WriteDashboardElement(dashboard_id=dashboard.id, type="vis", title="Empty")
        )
    )
    assert _details(error) == [
        (
            "type",
            "invalid",
            "Must provide either a look_id, query_id, or merge_result_id for non-text"
            " dashboard element",
        )
    ]
    assert standin.exchanges[-1].status == 422
    text = sdk.create_dashboard_element(
        m.WriteDashboardElement(dashboard_id=dashboard.id, type="text", title_text="Hello")
    )
    assert text.result_maker is None and text.query_id is None
    error = _refused(
        lambda: sdk.create_dashboard_element(
            m.WriteDashboardElement(dashboard_id=dashboard.id, type="text", query_id="1")
        )
    )
    assert _details(error) == [
        ("type", "invalid", "Result Maker IDs should not be provided for text elements")
    ]
    error = _refused(
        lambda: sdk.update_dashboard_element(text.id, m.WriteDashboardElement(look_id="1"))
    )
    assert [d[2] for d in _details(error)] == [
        "Result Maker IDs should not be provided for text elements"
    ]
    assert [e.id for e in sdk.dashboard_dashboard_elements(dashboard.id)] == [text.id]


def test_dangling_sources_are_refused_and_an_inline_query_is_ignored(
    standin: StandIn, sdk: Looker40SDK
) -> None:
    dashboard = sdk.create_dashboard(m.WriteDashboard(title="Refs", folder_id="1"))
    for field in ("query_id", "look_id", "merge_result_id"):
        error = _refused(
            lambda f=field: sdk.create_dashboard_element(
                m.WriteDashboardElement(dashboard_id=dashboard.id, type="vis", **{f: "424242"})
            )
        )
        assert [(d[0], d[1]) for d in _details(error)] == [(field, "invalid")]
    queries = len(standin.items("queries"))
    tile = sdk.create_dashboard_element(
        m.WriteDashboardElement(
            dashboard_id=dashboard.id,
            type="vis",
            query_id="1",
            query=m.WriteQuery(model="inline", view="never_created"),
        )
    )
    assert tile.query_id == "1" and tile.query is not None and tile.query.model != "inline"
    assert len(standin.items("queries")) == queries
    error = _refused(
        lambda: sdk.create_dashboard_element(
            m.WriteDashboardElement(
                dashboard_id=dashboard.id,
                type="vis",
                query=m.WriteQuery(model="inline", view="only"),
            )
        )
    )
    assert [d[0] for d in _details(error)] == ["type"]
    assert len(standin.items("queries")) == queries


# ---- 3. titles are unique within a folder -------------------------------------------------


@pytest.mark.parametrize("type_name", ["dashboards", "looks"])
def test_titles_are_unique_within_a_folder(
    standin: StandIn, sdk: Looker40SDK, type_name: str
) -> None:
    noun = "Dashboard" if type_name == "dashboards" else "Look"
    if type_name == "dashboards":
        create = lambda title, folder: sdk.create_dashboard(  # noqa: E731
            m.WriteDashboard(title=title, folder_id=folder)
        )
        update = sdk.update_dashboard
        write = m.WriteDashboard
    else:
        create = lambda title, folder: sdk.create_look(  # noqa: E731
            m.WriteLookWithQuery(title=title, folder_id=folder, query_id="1")
        )
        update = sdk.update_look
        write = m.WriteLookWithQuery
    other_folder = sdk.create_folder(m.CreateFolder(name="Elsewhere", parent_id="1")).id
    first = create("Quarterly", "1")
    expected = [
        ("[:title, :space_id]", "already_exists", f"{noun} with this title already exists.")
    ]
    assert _details(_refused(lambda: create("Quarterly", "1"))) == expected
    assert create("Quarterly", other_folder).folder_id == other_folder
    moving = create("Quarterly two", "1")
    assert _details(_refused(lambda: update(moving.id, write(title="Quarterly")))) == expected
    elsewhere = create("Monthly", other_folder)
    assert (
        _details(_refused(lambda: update(elsewhere.id, write(folder_id="1", title="Quarterly"))))
        == expected
    )
    # Trashed items do not hold their title; bringing one back into a clash is refused.
    update(first.id, write(deleted=True))
    replacement = create("Quarterly", "1")
    assert _details(_refused(lambda: update(first.id, write(deleted=False)))) == expected
    update(replacement.id, write(title="Quarterly (new)"))
    assert update(first.id, write(deleted=False)).deleted is False


# ---- 4. layout components can be read and moved ------------------------------------------


def test_tile_positions_can_be_read_and_restored(standin: StandIn, sdk: Looker40SDK) -> None:
    truth = next(d for d in standin.items("dashboards") if len(d["dashboard_elements"]) >= 2)
    elements = sdk.dashboard_dashboard_elements(truth["id"])
    assert [e.id for e in elements] == [e["id"] for e in truth["dashboard_elements"]]
    layouts = sdk.dashboard_dashboard_layouts(truth["id"])
    assert [lay.id for lay in layouts] == [lay["id"] for lay in truth["dashboard_layouts"]]
    components = sdk.dashboard_layout_dashboard_layout_components(layouts[0].id)
    assert {c.dashboard_element_id for c in components} == {e.id for e in elements}
    target = components[1]
    assert sdk.dashboard_layout_component(target.id).row == target.row
    moved = sdk.update_dashboard_layout_component(
        target.id,
        m.WriteDashboardLayoutComponent(row=30, column=4, width=12, height=9),
    )
    assert (moved.row, moved.column, moved.width, moved.height) == (30, 4, 12, 9)
    assert moved.dashboard_element_id == target.dashboard_element_id
    again = next(
        c
        for c in sdk.dashboard(truth["id"]).dashboard_layouts[0].dashboard_layout_components or []
        if c.id == target.id
    )
    assert (again.row, again.column, again.width, again.height) == (30, 4, 12, 9)
    with pytest.raises(looker_sdk.error.SDKError):
        sdk.dashboard_layout_component("987654")
    assert standin.exchanges[-1].status == 404


# ---- 5. bodies are checked against the spec's request schemas -----------------------------


def test_wrong_types_and_nulls_are_422_in_lookers_shape(standin_factory: StandInFactory) -> None:
    standin = standin_factory(check_spec=False)
    dashboards = len(standin.items("dashboards"))
    answer = raw_call(standin, "POST", "/dashboards", {"title": 123, "folder_id": "1"})
    assert _looker_422(answer) == [("title", "invalid")]
    answer = raw_call(standin, "PATCH", "/dashboards/1", {"hidden": "yes"})
    assert _looker_422(answer) == [("hidden", "invalid")]
    assert answer.json()["errors"][0]["message"] == "must be a boolean"
    answer = raw_call(standin, "POST", "/groups", {"name": {}})
    assert _looker_422(answer) == [("name", "invalid")]
    answer = raw_call(standin, "PATCH", "/dashboards/1", {"hidden": None})
    assert _looker_422(answer) == [("hidden", "invalid")]
    answer = raw_call(
        standin,
        "POST",
        "/dashboard_elements",
        {
            "dashboard_id": "1",
            "query_id": "1",
            "result_maker": {"filterables": [{"listen": [{"field": 5}]}]},
        },
    )
    assert _looker_422(answer) == [("result_maker.filterables[0].listen[0].field", "invalid")]
    answer = raw_call(standin, "POST", "/dashboards", {"title": "Dangling", "folder_id": "424242"})
    assert _looker_422(answer) == [("folder_id", "invalid")]
    answer = raw_call(standin, "PUT", "/users/2/roles", ["1", 2])
    assert _looker_422(answer) == [("[1]", "invalid")]
    assert len(standin.items("dashboards")) == dashboards


def test_read_only_keys_are_ignored_not_refused(standin_factory: StandInFactory) -> None:
    standin = standin_factory(check_spec=False)
    body = {
        "title": "Read-only keys",
        "folder_id": "1",
        "id": "999999",
        "view_count": 5000,
        "dashboard_elements": [{"type": "vis", "query_id": "1"}],
        "dashboard_filters": [{"name": "x", "title": "x", "type": "string_filter"}],
    }
    answer = raw_call(standin, "POST", "/dashboards", body)
    assert answer.status_code == 200, answer.text
    created = answer.json()
    assert created["id"] != "999999" and created["view_count"] == 0
    assert created["dashboard_elements"] == [] and created["dashboard_filters"] == []
    assert len(created["dashboard_layouts"]) == 1


def test_filter_listeners_are_accepted_although_the_spec_marks_them_read_only(
    standin: StandIn,
) -> None:
    dashboard = standin.items("dashboards")[0]
    listen = [{"dashboard_filter_name": "Region", "field": "orders.region"}]
    body = {
        "dashboard_id": dashboard["id"],
        "type": "vis",
        "query_id": "1",
        "result_maker": {"filterables": [{"model": "m", "view": "v", "listen": listen}]},
    }
    answer = raw_call(standin, "POST", "/dashboard_elements", body)
    assert answer.status_code == 200, answer.text
    tile = answer.json()
    assert tile["result_maker"]["filterables"][0]["listen"] == listen
    changed = [{"dashboard_filter_name": "Date", "field": "orders.created_date"}]
    patch = {"result_maker": {"filterables": [{"model": "m", "view": "v", "listen": changed}]}}
    answer = raw_call(standin, "PATCH", f"/dashboard_elements/{tile['id']}", patch)
    assert answer.json()["result_maker"]["filterables"][0]["listen"] == changed
    stored = next(
        e
        for d in standin.items("dashboards")
        for e in d["dashboard_elements"]
        if e["id"] == tile["id"]
    )
    assert stored["result_maker"]["filterables"][0]["listen"] == changed


# ---- 6. no crash on bad bytes ------------------------------------------------------------


def test_bad_bytes_get_answers_not_dropped_connections(standin_factory: StandInFactory) -> None:
    standin = standin_factory(check_spec=False, client_secret="right")
    answer = raw_call(standin, "POST", "/folders", data=b'{"name": "\xff\xfe", "parent_id": "1"}')
    assert answer.status_code == 400
    assert answer.json()["message"] == "Request body is not valid JSON: not UTF-8"
    login = requests.post(
        f"{standin.base_url}/api/4.0/login",
        data={"client_id": standin.client_id, "client_secret": "grüße-🔑"},
        timeout=10,
    )
    assert login.status_code == 404 and set(login.json()) == {"message", "documentation_url"}
    for method in ("OPTIONS", "TRACE", "BREW"):
        answer = requests.request(method, f"{standin.base_url}/api/4.0/folders/1", timeout=10)
        assert answer.status_code == 405, method
        assert answer.headers["Content-Type"] == "application/json"
        assert answer.json()["message"] == "Method not allowed"
    head = requests.head(f"{standin.base_url}/api/4.0/folders/1", timeout=10)
    assert head.status_code == 405 and head.content == b""


# ---- 7. slugs are kept when free, refused when taken --------------------------------------


def test_a_free_slug_is_kept_and_a_taken_one_refused(standin: StandIn, sdk: Looker40SDK) -> None:
    kept = sdk.create_dashboard(m.WriteDashboard(title="Slugged", folder_id="1", slug="myOwnSlug1"))
    assert kept.slug == "myOwnSlug1"
    made = sdk.create_dashboard(m.WriteDashboard(title="Unslugged", folder_id="1"))
    assert made.slug and len(made.slug) == 22
    trashed = next(d for d in standin.items("dashboards") if d["deleted"])
    error = _refused(
        lambda: sdk.create_dashboard(
            m.WriteDashboard(title="Reuse", folder_id="1", slug=trashed["slug"])
        )
    )
    assert standin.exchanges[-1].status == 409
    assert error.message == "The resource already exists."
    retried = sdk.create_dashboard(m.WriteDashboard(title="Reuse", folder_id="1"))
    assert retried.slug != trashed["slug"]
    error = _refused(lambda: sdk.update_dashboard(made.id, m.WriteDashboard(slug="myOwnSlug1")))
    assert [(d[0], d[1]) for d in _details(error)] == [("slug", "already_exists")]
    moved = sdk.update_dashboard(made.id, m.WriteDashboard(slug="anotherFreeSlug"))
    assert moved.slug == "anotherFreeSlug"


def test_folder_names_are_unique_within_a_parent(standin_factory: StandInFactory) -> None:
    sdk = sdk_for(standin_factory())
    assert sdk.create_folder(m.CreateFolder(name="Fresh", parent_id="1")).name == "Fresh"
    error = _refused(lambda: sdk.create_folder(m.CreateFolder(name="Fresh", parent_id="1")))
    assert [(e.field, e.code) for e in error.errors] == [("name", "already_exists")]
