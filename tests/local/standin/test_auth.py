"""Login, tokens and logout as looker_sdk and Looker do them."""

from __future__ import annotations

import looker_sdk
import pytest
import requests
from looker_sdk.sdk.api40.methods import Looker40SDK

from lookervault.local.standin import StandIn
from tests.support.looker_fixtures import StandInFactory, sdk_for


def test_sdk_logs_in_and_reads_versions(standin: StandIn, sdk: Looker40SDK) -> None:
    versions = sdk.versions()
    assert versions.current_version is not None
    assert versions.current_version.version == "4.0"
    assert versions.looker_release_version
    assert sdk.user("1").display_name == "API Admin"
    logins = [e for e in standin.exchanges if e.path == "/api/4.0/login"]
    assert len(logins) == 1
    assert logins[0].request_headers["Content-Type"] == "application/x-www-form-urlencoded"
    token = logins[0].json()
    assert token["token_type"] == "Bearer" and token["expires_in"] > 0


def test_both_authorization_schemes_are_accepted(standin: StandIn) -> None:
    login = requests.post(
        f"{standin.base_url}/api/4.0/login",
        data={"client_id": standin.client_id, "client_secret": standin.client_secret},
        timeout=10,
    )
    token = login.json()["access_token"]
    for scheme in ("Bearer", "token"):
        answer = requests.get(
            f"{standin.base_url}/api/4.0/users/1",
            headers={"Authorization": f"{scheme} {token}"},
            timeout=10,
        )
        assert answer.status_code == 200, scheme
        assert answer.json()["id"] == "1"


def test_wrong_credentials_get_404_like_looker(standin_factory: StandInFactory) -> None:
    standin = standin_factory(client_secret="the-right-one")
    answer = requests.post(
        f"{standin.base_url}/api/4.0/login",
        data={"client_id": standin.client_id, "client_secret": "wrong"},
        timeout=10,
    )
    assert answer.status_code == 404
    assert set(answer.json()) == {"message", "documentation_url"}
    assert "access_token" not in answer.text


def test_wrong_or_missing_token_gets_401(standin: StandIn) -> None:
    for headers in ({"Authorization": "Bearer not-a-token"}, {}):
        answer = requests.get(f"{standin.base_url}/api/4.0/users/1", headers=headers, timeout=10)
        assert answer.status_code == 401
        assert answer.json()["message"] == "Requires authentication."


def test_expired_token_gets_401_through_the_sdk(standin: StandIn, sdk: Looker40SDK) -> None:
    assert sdk.folder("1").name == "Shared"
    standin.expire_tokens()
    with pytest.raises(looker_sdk.error.SDKError) as raised:
        sdk.folder("1")
    assert raised.value.message == "Requires authentication."
    assert standin.exchanges[-1].status == 401


def test_logout_revokes_the_token(standin: StandIn) -> None:
    sdk = sdk_for(standin)
    sdk.folder("1")
    token = sdk.auth.token.access_token
    sdk.auth.logout()
    assert standin.exchanges[-1].status == 204
    answer = requests.get(
        f"{standin.base_url}/api/4.0/folders/1",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert answer.status_code == 401
