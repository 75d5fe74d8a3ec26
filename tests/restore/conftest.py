"""Fixtures for restore tests: Looker stand-ins A (the backed-up instance) and B (another,
empty one), a backup of A, a CLI runner pointed at either, and content read back."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from lookervault.cli import main
from lookervault.local.standin import PROFILES, Profile, SeedSize, StandIn
from lookervault.looker import store
from lookervault.looker.compare import Difference, compare
from lookervault.looker.extract import extract
from tests.support.cli import Result
from tests.support.looker_fixtures import (
    StandInFactory,
    StandInSettings,
    sdk_env,
    standin_factory,  # noqa: F401
)

Items = dict[str, dict[str, dict[str, Any]]]
WRITE_METHODS = frozenset({"POST", "PATCH", "PUT", "DELETE"})
SMALL = SeedSize()


Restore = Callable[..., Result]


def extract_items(standin: StandIn, path: Path) -> Items:
    """Extract a stand-in into `path` and return its content as type -> id -> object."""
    extract(path, settings=StandInSettings(standin), workers=4)
    return read_items(path)


read_items = store.read_items


def promised(items: Items, profile: Profile, users: Mapping[str, str] | None = None) -> Items:
    """What a restore can write of `items` into a Looker of this profile. Looker (Google Cloud
    core) refuses email logins, a role's groups and acting as other users: its users have no
    email login, its roles no groups set by a restore, and favourites are not restored (each
    with a note). Applied to both sides of a comparison. Users without an email login are
    named by the backed-up user each is (`users`: their id -> the backed-up id; None: the
    same ids), since two people may share a name."""
    if profile != "core":
        return items
    found = {type_name: dict(by_id) for type_name, by_id in items.items()}
    found["users"] = {
        i: {**u, "email": _user_key(i, users), "credentials_email": None}
        for i, u in found["users"].items()
    }
    found["roles"] = {i: {**r, "group_ids": []} for i, r in found["roles"].items()}
    found["content_favorites"] = {}
    return found


def _user_key(user_id: str, users: Mapping[str, str] | None) -> str | None:
    backed_up = user_id if users is None else users.get(user_id)
    return None if backed_up is None else f"backed-up-user-{backed_up}@promised.invalid"


def differences(
    expected: Items,
    actual: Items,
    profile: Profile,
    types: list[str] | None = None,
    users: Mapping[str, str] | None = None,
) -> list[Difference]:
    """How `actual` differs from `expected`, as far as a restore into `profile` promises
    (`users`: which backed-up user each of `actual`'s users is, when the ids differ)."""
    return compare(promised(expected, profile), promised(actual, profile, users), types)


def restored_users(report: dict[str, Any], backed_up: Items, target: Items) -> dict[str, str]:
    """target id -> backed-up id of every user a restore report names, and of those it did not
    need to name because the target held them already (by email)."""
    by_email = {_email(u): i for i, u in backed_up["users"].items()}
    found = {i: by_email[_email(u)] for i, u in target["users"].items() if _email(u) in by_email}
    return found | {i["target_id"]: i["id"] for i in report["items"] if i["type"] == "users"}


def _email(user: dict[str, Any]) -> str | None:
    return user.get("email") or (user.get("credentials_email") or {}).get("email")


def writes(standin: StandIn) -> list[str]:
    """Every write request the stand-in answered, as `METHOD path`."""
    return [
        f"{e.method} {e.path.removeprefix('/api/4.0')}"
        for e in standin.exchanges
        if e.method in WRITE_METHODS and not e.path.endswith(("/login", "/logout"))
    ]


@pytest.fixture
def profile() -> Profile:
    """Which plausible answers the Looker restored into gives (local/standin/profiles.py):
    lenient, unless a test runs in every profile (`EVERY_PROFILE`)."""
    return "lenient"


EVERY_PROFILE = pytest.mark.parametrize("profile", PROFILES)
"""The paths a restore must get right whatever Looker answers (issue 30): undo in place, a
rebuild into another instance, from a snapshot, folder and id restores, the LookML route
against part by part, a rerun, kill -9 then a rerun, and a Looker under load. The rest run
against the lenient stand-in, which CI's time allows."""


@pytest.fixture
def looker_a(standin_factory: StandInFactory, profile: Profile) -> StandIn:  # noqa: F811
    return standin_factory(seed=SMALL, seed_value=0, profile=profile)


@pytest.fixture
def looker_b(standin_factory: StandInFactory, profile: Profile) -> StandIn:  # noqa: F811
    """Another, new Looker instance: only what a fresh instance holds."""
    return standin_factory(seed=SeedSize.empty(), seed_value=1, profile=profile)


@pytest.fixture
def backup(looker_a: StandIn, tmp_path: Path) -> Path:
    """A backup of A, made by a real extraction."""
    path = tmp_path / "a.db"
    extract_items(looker_a, path)
    return path


@pytest.fixture
def restore(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Iterator[Restore]:
    """`lookervault restore ARGS...` in-process, with LOOKERSDK_* pointing at `into`."""

    def run(into: StandIn, *args: str, env: dict[str, str] | None = None) -> Result:
        with monkeypatch.context() as patch:
            for key, value in {**sdk_env(into), **(env or {})}.items():
                patch.setenv(key, value)
            capsys.readouterr()
            code = main(["restore", *args])
            captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    yield run


def restore_env(into: StandIn) -> dict[str, str]:
    """The environment of a restore run as a child process."""
    return {**os.environ, **sdk_env(into)}
