"""Fault knobs: 429 with Retry-After, failing pages, seeded 5xx, errors after the write, dropped
connections, recording switch, threads."""

from __future__ import annotations

import contextlib
import threading
from concurrent.futures import ThreadPoolExecutor

import looker_sdk
import pytest
import requests
from looker_sdk import models40 as m

from lookervault.local.standin import Faults, SeedSize, StandIn
from tests.support.looker_fixtures import StandInFactory, sdk_for


def test_rate_limit_answers_429_with_retry_after(standin_factory: StandInFactory) -> None:
    standin = standin_factory()
    sdk = sdk_for(standin)
    sdk.folder("1")
    standin.faults.rate_limit_per_s = 0
    with pytest.raises(looker_sdk.error.SDKError) as raised:
        sdk.folder("1")
    assert raised.value.message == "Too many requests"
    limited = standin.exchanges[-1]
    assert limited.status == 429 and limited.fault == "rate_limit"
    assert int(limited.response_headers["Retry-After"]) >= 1
    standin.faults.rate_limit_per_s = None
    assert sdk.folder("1").id == "1"


def test_rate_limit_window_counts_the_last_second() -> None:
    faults = Faults(rate_limit_per_s=2)
    assert faults.rate_limited(now=10.0) is None
    assert faults.rate_limited(now=10.1) is None
    limited = faults.rate_limited(now=10.5)
    assert limited is not None and limited.status == 429 and limited.retry_after_s == 1
    assert faults.rate_limited(now=11.05) is None
    assert faults.rate_limited(now=11.09) is not None


def test_failing_page_fails_n_times_then_succeeds(standin_factory: StandInFactory) -> None:
    standin = standin_factory()
    sdk = sdk_for(standin)
    standin.faults.fail_page(path="/dashboards/search", offset=5, times=3, status=503)
    assert len(sdk.search_dashboards(limit=5, offset=0, fields="id")) == 5
    for _ in range(3):
        with pytest.raises(looker_sdk.error.SDKError):
            sdk.search_dashboards(limit=5, offset=5, fields="id")
        assert standin.exchanges[-1].status == 503
        assert standin.exchanges[-1].fault == "fail_page"
    page = sdk.search_dashboards(limit=5, offset=5, fields="id")
    assert len(page) == 5 and standin.exchanges[-1].status == 200


def test_error_rate_is_deterministic_for_a_seed(standin_factory: StandInFactory) -> None:
    def statuses(error_seed: int) -> list[int]:
        standin = standin_factory(faults=Faults(error_rate=0.3, error_seed=error_seed))
        sdk = sdk_for(standin)
        for _ in range(40):
            with contextlib.suppress(looker_sdk.error.SDKError):
                sdk.folder("1")
        return [e.status for e in standin.exchanges if e.path == "/api/4.0/folders/1"]

    first, again, other = statuses(7), statuses(7), statuses(8)
    assert first == again
    assert first != other
    assert 0 < first.count(503) < 40 and set(first) == {200, 503}


def test_faults_set_at_start_apply_from_the_first_request(
    standin_factory: StandInFactory,
) -> None:
    standin = standin_factory(faults=Faults(error_rate=1.0, error_status=502))
    answer = requests.post(
        f"{standin.base_url}/api/4.0/login",
        data={"client_id": standin.client_id, "client_secret": standin.client_secret},
        timeout=10,
    )
    token = answer.json()["access_token"]
    failed = requests.get(
        f"{standin.base_url}/api/4.0/folders/1",
        headers={"Authorization": f"token {token}"},
        timeout=10,
    )
    assert failed.status_code == 502
    assert set(failed.json()) == {"message", "documentation_url"}
    standin.faults.clear()
    assert (
        requests.get(
            f"{standin.base_url}/api/4.0/folders/1",
            headers={"Authorization": f"token {token}"},
            timeout=10,
        ).status_code
        == 200
    )


def test_recording_can_be_switched_off(standin: StandIn) -> None:
    sdk = sdk_for(standin)
    sdk.folder("1")
    recorded = len(standin.exchanges)
    standin.recording = False
    for _ in range(5):
        sdk.folder("1")
    assert len(standin.exchanges) == recorded
    assert standin.request_count("/folders/1") == 6
    assert standin.request_count("/api/4.0/folders") == 6
    assert standin.request_count() == 7


def test_parallel_workers_page_and_write_consistently(standin_factory: StandInFactory) -> None:
    standin = standin_factory(seed=SeedSize(dashboards=120), faults=Faults(latency_s=0.01))
    local = threading.local()

    def client() -> looker_sdk.methods40.Looker40SDK:
        if not hasattr(local, "sdk"):
            local.sdk = sdk_for(standin)
        return local.sdk

    def page(offset: int) -> list[str]:
        return [
            d.id
            for d in client().search_dashboards(
                deleted="false", limit=10, offset=offset, sorts="id", fields="id"
            )
        ]

    def create(n: int) -> str:
        return client().create_folder(m.CreateFolder(name=f"Parallel {n}", parent_id="1")).id

    live = sum(not d["deleted"] for d in standin.items("dashboards"))
    with ThreadPoolExecutor(max_workers=16) as pool:
        pages = list(pool.map(page, range(0, live + 10, 10)))
        created = list(pool.map(create, range(32)))
    ids = [i for p in pages for i in p]
    assert len(ids) == len(set(ids)) == live
    assert len(set(created)) == 32
    folder_names = {f["name"] for f in standin.items("folders")}
    assert {f"Parallel {n}" for n in range(32)} <= folder_names


def _token(standin: StandIn) -> str:
    login = requests.post(
        f"{standin.base_url}/api/4.0/login",
        data={"client_id": standin.client_id, "client_secret": standin.client_secret},
        timeout=10,
    )
    token: str = login.json()["access_token"]
    return token


def _create_folder(standin: StandIn, token: str, name: str) -> requests.Response:
    return requests.post(
        f"{standin.base_url}/api/4.0/folders",
        json={"name": name, "parent_id": "1"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )


def _folder_names(standin: StandIn) -> set[str]:
    return {f["name"] for f in standin.items("folders")}


def test_a_failing_write_fails_before_or_after_it_is_applied(standin: StandIn) -> None:
    sdk = sdk_for(standin)
    standin.faults.fail_requests("POST", "/folders")
    with pytest.raises(looker_sdk.error.SDKError):
        sdk.create_folder(m.CreateFolder(name="Before", parent_id="1"))
    assert standin.exchanges[-1].fault == "fail_request"
    assert "Before" not in _folder_names(standin)
    standin.faults.fail_requests("POST", "/folders", status=502, after_write=True)
    with pytest.raises(looker_sdk.error.SDKError):
        sdk.create_folder(m.CreateFolder(name="After", parent_id="1"))
    failed = standin.exchanges[-1]
    assert (failed.status, failed.fault) == (502, "fail_request_after_write")
    assert set(failed.json()) == {"message", "documentation_url"}
    assert "After" in _folder_names(standin)
    retried = _create_folder(standin, _token(standin), "After")
    assert retried.status_code == 422
    assert retried.json()["errors"][0]["code"] == "already_exists"


def test_a_dropped_connection_answers_nothing(standin: StandIn) -> None:
    token = _token(standin)
    dashboard = standin.items("dashboards")[0]
    path = f"{standin.base_url}/api/4.0/dashboards/{dashboard['id']}"
    headers = {"Authorization": f"Bearer {token}"}
    standin.faults.fail_requests("PATCH", "/dashboards/*", drop=True)
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.patch(path, json={"description": "lost"}, headers=headers, timeout=10)
    dropped = standin.exchanges[-1]
    assert (dropped.status, dropped.fault, dropped.response_body) == (None, "drop", b"")
    assert standin.items("dashboards")[0]["description"] == dashboard["description"]
    standin.faults.fail_requests("PATCH", "/dashboards/*", drop=True, after_write=True)
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.patch(path, json={"description": "applied"}, headers=headers, timeout=10)
    assert standin.exchanges[-1].fault == "drop_after_write"
    assert standin.items("dashboards")[0]["description"] == "applied"
    assert requests.get(path, headers=headers, timeout=10).json()["description"] == "applied"


def test_the_sdk_sees_a_dropped_connection_as_an_error(standin: StandIn) -> None:
    sdk = sdk_for(standin)
    sdk.folder("1")
    standin.faults.fail_requests("GET", "/folders/1", drop=True)
    with pytest.raises(looker_sdk.error.SDKError, match="Connection aborted"):
        sdk.folder("1")
    assert sdk.folder("1").id == "1"


def test_errors_after_write_hit_writes_only_and_are_deterministic(
    standin_factory: StandInFactory,
) -> None:
    def run(after_write: float) -> list[tuple[str, int | None, str | None]]:
        faults = Faults(error_rate=0.4, error_seed=3, errors_after_write=after_write)
        standin = standin_factory(seed=SeedSize.empty(), faults=faults)
        token = _token(standin)
        for n in range(30):
            _create_folder(standin, token, f"Folder {n}")
            requests.get(
                f"{standin.base_url}/api/4.0/folders/1",
                headers={"Authorization": f"Bearer {token}"},
                timeout=10,
            )
        outcome = [(e.method, e.status, e.fault) for e in standin.exchanges[1:]]
        made = {f"Folder {n}" for n in range(30)} & _folder_names(standin)
        creates = [(status, fault) for method, status, fault in outcome if method == "POST"]
        assert len(made) == sum(
            status == 200 or fault == "error_rate_after_write" for status, fault in creates
        )
        return outcome

    never, half, again = run(0.0), run(0.5), run(0.5)
    assert half == again
    kinds = {fault for _, _, fault in half}
    assert {"error_rate", "error_rate_after_write", None} == kinds
    assert all(method == "POST" for method, _, fault in half if fault == "error_rate_after_write")
    assert {fault for _, _, fault in never} == {"error_rate", None}
