"""GET /user (me) and login_user: the admin API user gets a token that acts as another user
for every later call, until it logs out."""

from __future__ import annotations

import looker_sdk
import pytest
import requests
from looker_sdk import models40 as m

from lookervault.local.standin import PROFILES, SeedSize, StandIn
from tests.support.looker_fixtures import StandInFactory, raw_call, sdk_for


def _as(
    standin: StandIn, token: str, method: str, path: str, **kwargs: object
) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"}
    return requests.request(
        method, f"{standin.base_url}/api/4.0{path}", headers=headers, timeout=10, **kwargs
    )


def _token_for(standin: StandIn, user_id: str) -> str:
    answer = raw_call(standin, "POST", f"/login/{user_id}")
    assert answer.status_code == 200, answer.text
    token: str = answer.json()["access_token"]
    return token


def test_me_is_the_calling_user_with_fields_honoured(standin: StandIn) -> None:
    sdk = sdk_for(standin)
    me = sdk.me()
    assert (me.id, me.display_name, me.email) == ("1", "API Admin", "api.admin.1@example.com")
    assert raw_call(standin, "GET", "/user?fields=id,email").json() == {
        "id": "1",
        "email": "api.admin.1@example.com",
    }


def test_login_user_gives_a_token_that_acts_as_the_user(standin: StandIn) -> None:
    answer = raw_call(standin, "POST", "/login/3?associative=false")
    assert answer.status_code == 200
    token = answer.json()
    assert token["token_type"] == "Bearer" and token["expires_in"] > 0
    assert token["refresh_token"] is None
    me = _as(standin, token["access_token"], "GET", "/user")
    assert me.status_code == 200 and me.json()["id"] == "3"
    assert me.json()["display_name"] == standin.items("users")[2]["display_name"]


def test_only_the_admin_may_log_in_as_someone_else(standin: StandIn) -> None:
    token = _token_for(standin, "3")
    refused = _as(standin, token, "POST", "/login/4")
    assert refused.status_code == 403 and set(refused.json()) == {"message", "documentation_url"}
    unknown = raw_call(standin, "POST", "/login/999")
    assert unknown.status_code == 404


@pytest.mark.parametrize("profile", ["lenient", "strict"])
def test_a_favorite_made_with_the_users_token_is_the_users(
    standin_factory: StandInFactory, profile: str
) -> None:
    """What Looker's own example does (sdk-codegen examples/python/add_contents_to_favorite.py):
    log in as each user, create the favourite, log out."""
    standin = standin_factory(seed=SeedSize(content_favorites=0), profile=profile)
    dashboard = next(d for d in standin.items("dashboards") if not d["deleted"])
    sdk = sdk_for(standin)
    sdk.auth.login_user(5)
    assert sdk.me().id == "5"
    made = sdk.create_content_favorite(
        m.WriteContentFavorite(content_metadata_id=dashboard["content_metadata_id"])
    )
    assert made.user_id == "5"
    assert [f["user_id"] for f in standin.items("content_favorites")] == ["5"]
    sudo = next(e for e in standin.exchanges if e.path == "/api/4.0/login/5").json()
    sdk.auth.logout()
    assert _as(standin, sudo["access_token"], "GET", "/user").status_code == 401
    assert sdk.me().id == "1"


def test_a_given_user_id_still_wins_when_lenient(standin_factory: StandInFactory) -> None:
    for profile, owner in (("lenient", "6"), ("strict", "5")):
        standin = standin_factory(seed=SeedSize(content_favorites=0), profile=profile)
        dashboard = next(d for d in standin.items("dashboards") if not d["deleted"])
        body = {"user_id": "6", "content_metadata_id": dashboard["content_metadata_id"]}
        made = _as(standin, _token_for(standin, "5"), "POST", "/content_favorite", json=body)
        assert made.status_code == 200 and made.json()["user_id"] == owner, profile


def test_logout_revokes_only_the_token_it_is_called_with(standin: StandIn) -> None:
    login = requests.post(
        f"{standin.base_url}/api/4.0/login",
        data={"client_id": standin.client_id, "client_secret": standin.client_secret},
        timeout=10,
    )
    admin = login.json()["access_token"]
    token = _as(standin, admin, "POST", "/login/4").json()["access_token"]
    assert _as(standin, token, "DELETE", "/logout").status_code == 204
    assert _as(standin, token, "GET", "/user").status_code == 401
    assert _as(standin, admin, "GET", "/user").json()["id"] == "1"
    again = _as(standin, admin, "POST", "/login/4").json()["access_token"]
    assert _as(standin, again, "GET", "/user").json()["id"] == "4"


def test_every_profile_serves_me(standin_factory: StandInFactory) -> None:
    for profile in PROFILES:
        sdk = sdk_for(standin_factory(seed=SeedSize.empty(), profile=profile))
        assert sdk.me(fields="id").id == "1"
        with pytest.raises(looker_sdk.error.SDKError):
            sdk.user("2")
