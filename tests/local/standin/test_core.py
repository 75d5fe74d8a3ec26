"""The core profile (Looker, Google Cloud core): the calls the spec says it may deny answer 403,
no regular user can be impersonated, and users are made without an email login."""

from __future__ import annotations

from typing import Any

from lookervault.local.standin import SeedSize, StandIn
from lookervault.local.standin.core_denied import CORE_DENIED
from tests.support.core_denied import MODULE_PATH, build, render
from tests.support.looker_fixtures import StandInFactory, raw_call

SERVED_DENIED: dict[tuple[str, str], tuple[str, Any]] = {
    ("GET", "/credentials_email/search"): ("/credentials_email/search?limit=1", None),
    ("PUT", "/roles/{role_id}/groups"): ("/roles/2/groups", ["1"]),
    ("GET", "/users/{user_id}/credentials_email"): ("/users/2/credentials_email", None),
    ("POST", "/users/{user_id}/credentials_email"): (
        "/users/2/credentials_email",
        {"email": "ada@example.com"},
    ),
    ("PATCH", "/users/{user_id}/credentials_email"): (
        "/users/2/credentials_email",
        {"email": "ada@example.com"},
    ),
    ("POST", "/users/{user_id}/credentials_email/password_reset"): (
        "/users/2/credentials_email/password_reset",
        None,
    ),
    ("POST", "/users/{user_id}/credentials_email/send_password_reset"): (
        "/users/2/credentials_email/send_password_reset",
        None,
    ),
}
"""Each deniable call the stand-in serves, with a path and a valid body to call it with."""


def test_the_deniable_calls_are_the_specs() -> None:
    """Rebuild with `python -m tests.support.core_denied` after replacing the spec."""
    assert MODULE_PATH.read_text(encoding="utf-8") == render()
    assert set(build()) == CORE_DENIED
    assert set(SERVED_DENIED) <= CORE_DENIED
    assert ("PATCH", "/oidc_config") in CORE_DENIED and len(CORE_DENIED) > 40


def test_core_denies_every_deniable_call_it_serves(standin_factory: StandInFactory) -> None:
    core = standin_factory(profile="core")
    served = {(route.method, route.template) for route in core.app.routes}
    assert served & CORE_DENIED == set(SERVED_DENIED)
    lenient = standin_factory()
    for (method, _), (path, body) in SERVED_DENIED.items():
        denied = raw_call(core, method, path, body)
        assert denied.status_code == 403, (method, path)
        assert "Google Cloud core" in denied.json()["message"]
        assert raw_call(lenient, method, path, body).status_code != 403, (method, path)
    assert core.deliveries == [] and len(lenient.deliveries) == 1
    assert raw_call(core, "GET", "/roles/2/groups").status_code == 200


def _new_user(standin: StandIn) -> dict[str, Any]:
    body = {"first_name": "Grace", "credentials_email": {"email": "grace@example.com"}}
    answer = raw_call(standin, "POST", "/users", body)
    assert answer.status_code == 200, answer.text
    user: dict[str, Any] = answer.json()
    return user


def test_core_makes_users_without_an_email_login(standin_factory: StandInFactory) -> None:
    core = standin_factory(seed=SeedSize.empty(), profile="core")
    user = _new_user(core)
    assert user.get("email") is None and user.get("credentials_email") is None
    stored = next(u for u in core.items("users") if u["id"] == user["id"])
    assert stored["email"] is None and stored["credentials_email"] is None
    lenient = standin_factory(seed=SeedSize.empty())
    assert _new_user(lenient)["credentials_email"]["email"] == "grace@example.com"


def test_core_impersonates_no_regular_user(standin_factory: StandInFactory) -> None:
    core = standin_factory(profile="core")
    for user_id in ("3", "1"):
        denied = raw_call(core, "POST", f"/login/{user_id}")
        assert denied.status_code == 403
        assert "can not be impersonated" in denied.json()["message"]
    assert raw_call(core, "POST", "/login/999").status_code == 404
    assert raw_call(standin_factory(), "POST", "/login/3").status_code == 200


def test_search_credentials_email_answers_email_logins_outside_core(
    standin_factory: StandInFactory,
) -> None:
    lenient = standin_factory()
    user = lenient.items("users")[3]
    email = user["credentials_email"]["email"]

    every = raw_call(lenient, "GET", "/credentials_email/search?fields=email").json()
    found = raw_call(lenient, "GET", f"/credentials_email/search?email={email.upper()}").json()

    assert {c["email"] for c in every} == {
        u["credentials_email"]["email"] for u in lenient.items("users") if u["credentials_email"]
    }
    assert [c["email"] for c in found] == [email]
