"""The instance itself: its settings (GET /setting) and how many requests it serves at once."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import looker_sdk
import pytest
import requests

from lookervault.local.standin import Faults, SeedSize
from lookervault.local.standin.__main__ import main
from tests.support.looker_fixtures import StandInFactory, raw_call, sdk_for


def test_settings_name_the_instances_own_url_unless_configured(
    standin_factory: StandInFactory,
) -> None:
    own = standin_factory(seed=SeedSize.empty())
    settings = sdk_for(own).get_setting()
    assert settings.host_url == own.base_url == own.host_url
    assert settings.timezone and settings.embed_enabled is False
    behind = standin_factory(seed=SeedSize.empty(), host_url="https://looker.example.com")
    sdk = sdk_for(behind)
    assert sdk.get_setting().host_url == "https://looker.example.com"
    assert raw_call(behind, "GET", "/setting?fields=host_url").json() == {
        "host_url": "https://looker.example.com"
    }


def test_settings_are_refused_without_admin_rights(standin_factory: StandInFactory) -> None:
    standin = standin_factory(seed=SeedSize.empty(), settings_readable=False)
    with pytest.raises(looker_sdk.error.SDKError) as raised:
        sdk_for(standin).get_setting()
    assert raised.value.message == "Forbidden"
    assert standin.exchanges[-1].status == 403
    assert standin.exchanges[-1].json()["documentation_url"]


def _three_at_once(base_url: str, token: str) -> float:
    """Seconds for three requests sent at the same time."""
    headers = {"Authorization": f"Bearer {token}"}

    def one(_: int) -> int:
        url = f"{base_url}/api/4.0/folders/1"
        return requests.get(url, headers=headers, timeout=30).status_code

    started = time.monotonic()
    with ThreadPoolExecutor(3) as pool:
        assert list(pool.map(one, range(3))) == [200, 200, 200]
    return time.monotonic() - started


@pytest.mark.parametrize("limit", [None, 1])
def test_requests_beyond_the_limit_wait_their_turn(
    standin_factory: StandInFactory, limit: int | None
) -> None:
    """With latency 0.3 s, three requests at once take about 0.3 s unbounded and at least
    0.9 s one at a time: the latency is spent inside a slot."""
    standin = standin_factory(seed=SeedSize.empty(), faults=Faults(), max_concurrent_requests=limit)
    login = raw_call(standin, "GET", "/folders/1")  # logs in before latency applies
    token = login.request.headers["Authorization"].split()[1]
    standin.faults.latency_s = 0.3
    elapsed = _three_at_once(standin.base_url, token)
    if limit is None:
        assert elapsed < 0.85
    else:
        assert elapsed >= 0.9


def test_the_command_refuses_a_limit_below_one(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        main(["--max-concurrent", "0"])
    assert raised.value.code == 2
    assert "--max-concurrent must be at least 1" in capsys.readouterr().err
