"""Pytest fixtures for the local Looker stand-in, reusable by any test folder.

Import them into a conftest.py (`from tests.support.looker_fixtures import standin_factory`).
Every stand-in made through `standin_factory` is stopped after the test, and its recorded
traffic is checked against Looker's official OpenAPI spec: a non-conforming exchange fails
the test at teardown, and so does a store index that a write left stale.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import looker_sdk
import pytest
import requests
from looker_sdk.sdk.api40.methods import Looker40SDK

from lookervault.local.standin import Faults, SeedSize, StandIn
from lookervault.local.standin.sdk import StandInSettings
from tests.support.openapi_check import validate_exchanges


def sdk_for(standin: StandIn) -> Looker40SDK:
    """A real looker_sdk 4.0 client logged in lazily against `standin`."""
    return looker_sdk.init40(config_settings=StandInSettings(standin))


def sdk_env(standin: StandIn) -> dict[str, str]:
    """The LOOKERSDK_* variables that point looker_sdk.init40() (or a child process) at it."""
    return {
        "LOOKERSDK_BASE_URL": standin.base_url,
        "LOOKERSDK_CLIENT_ID": standin.client_id,
        "LOOKERSDK_CLIENT_SECRET": standin.client_secret,
        "LOOKERSDK_VERIFY_SSL": "false",
    }


StandInFactory = Callable[..., StandIn]


@pytest.fixture
def standin_factory() -> Iterator[StandInFactory]:
    """Start stand-ins on demand: factory(seed=SeedSize(...), faults=Faults(...), check_spec=True).

    check_spec=False skips the teardown check (for tests that send malformed traffic on purpose).
    """
    started: list[tuple[StandIn, bool]] = []

    def make(
        seed: SeedSize | None = None,
        faults: Faults | None = None,
        seed_value: int = 0,
        *,
        check_spec: bool = True,
        **kwargs: Any,
    ) -> StandIn:
        standin = StandIn(seed=seed, faults=faults, seed_value=seed_value, **kwargs)
        standin.start()
        started.append((standin, check_spec))
        return standin

    yield make
    problems: list[str] = []
    for standin, check_spec in started:
        standin.stop()
        problems += [f"stale stand-in index {name}" for name in standin.index_drift()]
        if check_spec:
            problems += validate_exchanges(standin.exchanges)
    if problems:
        shown = "\n".join(problems[:20])
        pytest.fail(f"{len(problems)} problem(s) with the stand-in's traffic or store:\n{shown}")


@pytest.fixture
def standin(standin_factory: StandInFactory) -> StandIn:
    """A running stand-in with the default small seed."""
    return standin_factory()


@pytest.fixture
def sdk(standin: StandIn) -> Looker40SDK:
    return sdk_for(standin)


@pytest.fixture
def looker_env(standin: StandIn, monkeypatch: pytest.MonkeyPatch) -> StandIn:
    """LOOKERSDK_* set in this process (and inherited by children) for `standin`."""
    for key, value in sdk_env(standin).items():
        monkeypatch.setenv(key, value)
    return standin


def raw_call(
    standin: StandIn,
    method: str,
    path: str,
    body: Any = None,
    *,
    data: bytes | None = None,
) -> requests.Response:
    """One API call with a JSON body exactly as given (nulls, wrong types, read-only keys
    and all) or raw bytes, logged in: what looker_sdk's typed models cannot send."""
    login = requests.post(
        f"{standin.base_url}/api/4.0/login",
        data={"client_id": standin.client_id, "client_secret": standin.client_secret},
        timeout=10,
    )
    headers = {
        "Authorization": f"Bearer {login.json()['access_token']}",
        "Content-Type": "application/json",
    }
    payload = data if data is not None else None if body is None else json.dumps(body).encode()
    return requests.request(
        method, f"{standin.base_url}/api/4.0{path}", data=payload, headers=headers, timeout=10
    )
