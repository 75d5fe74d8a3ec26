"""The spec checker: real traffic validates, and tampered or unknown exchanges do not."""

from __future__ import annotations

import dataclasses
import json

import pytest
import requests
from looker_sdk.sdk.api40.methods import Looker40SDK

from lookervault.local.standin import Exchange, SeedSize, StandIn
from lookervault.local.standin.schema import SCHEMAS_PATH
from tests.support.looker_fixtures import StandInFactory, raw_call, sdk_for
from tests.support.openapi_check import validate_exchanges
from tests.support.request_schemas import render


def _broad_traffic(sdk: Looker40SDK) -> None:
    sdk.versions()
    sdk.search_dashboards(limit=3, sorts="id", fields="id,title,folder(id,name)")
    dashboard = sdk.search_dashboards(limit=1)[0]
    sdk.dashboard(dashboard.id)
    sdk.search_looks(limit=3)
    sdk.look(sdk.search_looks(limit=1)[0].id)
    sdk.search_folders(limit=5)
    sdk.folder("1")
    sdk.search_boards()
    sdk.board(sdk.search_boards(limit=1)[0].id)
    sdk.search_users(limit=5)
    sdk.user("1")
    sdk.search_groups()
    sdk.all_group_users("1")
    sdk.search_roles()
    sdk.role("1")
    sdk.search_permission_sets()
    sdk.search_model_sets()
    sdk.all_user_attributes()
    sdk.all_user_attribute_group_values("4")
    sdk.all_scheduled_plans(all_users=True)
    sdk.scheduled_plan(sdk.all_scheduled_plans(all_users=True)[0].id)
    sdk.search_alerts(all_owners=True)
    sdk.get_alert(sdk.search_alerts(all_owners=True)[0].id)
    sdk.all_lookml_models()
    sdk.lookml_model(sdk.all_lookml_models()[0].name)
    sdk.user_attribute_user_values("2", all_values=True, include_unset=True)
    sdk.all_color_collections()
    sdk.color_collections_custom()
    sdk.color_collections_standard()
    sdk.color_collection(sdk.default_color_collection().id or "")
    sdk.all_themes()
    sdk.search_themes(name="%")
    sdk.theme(sdk.default_theme().id or "")
    sdk.dashboard_dashboard_layouts(dashboard.id or "")


def test_all_recorded_traffic_conforms(standin_factory: StandInFactory) -> None:
    standin = standin_factory(seed=SeedSize.everything(), release="26.2.0")
    sdk = sdk_for(standin)
    _broad_traffic(sdk)
    sdk.auth.logout()
    assert len(standin.exchanges) > 30
    assert validate_exchanges(standin.exchanges) == []


def _good_dashboard_exchange(standin: StandIn, sdk: Looker40SDK) -> Exchange:
    sdk.dashboard("1")
    exchange = standin.exchanges[-1]
    assert exchange.path == "/api/4.0/dashboards/1" and exchange.status == 200
    assert validate_exchanges([exchange]) == []
    return exchange


def test_checker_catches_a_bad_response_body(standin: StandIn, sdk: Looker40SDK) -> None:
    good = _good_dashboard_exchange(standin, sdk)
    body = good.json()
    body["id"] = 1
    bad = dataclasses.replace(good, response_body=json.dumps(body).encode())
    problems = validate_exchanges([bad])
    assert len(problems) == 1 and "response" in problems[0]
    body = good.json()
    body["dashboard_elements"][0]["title_hidden"] = "no"
    assert validate_exchanges([dataclasses.replace(good, response_body=json.dumps(body).encode())])


def test_checker_catches_an_undocumented_status_and_a_204_body(
    standin: StandIn, sdk: Looker40SDK
) -> None:
    good = _good_dashboard_exchange(standin, sdk)
    assert validate_exchanges([dataclasses.replace(good, status=418)])
    deleted = dataclasses.replace(good, method="DELETE", status=204, response_body=b'"x"')
    assert validate_exchanges([deleted])
    assert validate_exchanges([dataclasses.replace(deleted, response_body=b"")]) == []


def test_checker_fails_an_operation_that_is_not_in_the_spec(
    standin_factory: StandInFactory,
) -> None:
    standin = standin_factory(check_spec=False)
    requests.get(f"{standin.base_url}/api/4.0/no_such_thing", timeout=10)
    requests.post(f"{standin.base_url}/api/3.1/login", timeout=10)
    problems = validate_exchanges(standin.exchanges)
    assert len(problems) == 2
    assert all("request" in problem for problem in problems)


def test_checker_catches_a_bad_request(standin: StandIn, sdk: Looker40SDK) -> None:
    good = _good_dashboard_exchange(standin, sdk)
    bad = dataclasses.replace(good, method="PATCH", request_body=b'{"title": 5}', status=200)
    assert validate_exchanges([bad])


def test_the_stand_ins_request_schemas_are_the_specs() -> None:
    """The schemas the stand-in checks bodies with are built from the vendored spec; rebuild
    with `python -m tests.support.request_schemas` after replacing the spec."""
    assert SCHEMAS_PATH.read_text(encoding="utf-8") == render()


def test_the_older_import_answer_is_checked_against_its_own_schema(
    standin_factory: StandInFactory,
) -> None:
    standin = standin_factory(seed=SeedSize.empty(), release="23.2.26")
    lookml = "- dashboard: d\n  title: Old\n  layout: newspaper\n  elements: []\n"
    answer = raw_call(standin, "POST", "/dashboards/lookml", {"folder_id": "1", "lookml": lookml})
    assert answer.status_code == 200 and "id" not in answer.json()
    older = standin.exchanges[-1]
    assert validate_exchanges([older]) == []
    for body in ({**answer.json(), "lookml": 5}, {**answer.json(), "title": "Old"}):
        changed = dataclasses.replace(older, response_body=json.dumps(body).encode())
        assert validate_exchanges([changed]), body


def test_a_dropped_exchange_has_only_its_request_checked(standin: StandIn) -> None:
    standin.faults.fail_requests("PATCH", "/folders/*", drop=True)
    with pytest.raises(requests.exceptions.ConnectionError):
        raw_call(standin, "PATCH", "/folders/2", data=b'{"name": "Renamed"}')
    dropped = standin.exchanges[-1]
    assert dropped.status is None and validate_exchanges([dropped]) == []
    assert validate_exchanges([dataclasses.replace(dropped, request_body=b'{"name": 5}')])
