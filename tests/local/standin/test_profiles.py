"""Profiles: where Looker's answer is unconfirmed, lenient gives the answer a client hopes for
and strict the other plausible one; the release knob decides how the LookML import answers."""

from __future__ import annotations

from typing import Any

import pytest

from lookervault.local.standin import PROFILES, SeedSize, StandIn
from lookervault.local.standin.rules import SOURCE_WITH_RESULT_MAKER
from tests.support.looker_fixtures import StandInFactory, raw_call, sdk_for

ALERT_KEYS = ("comparison_type", "cron", "destinations", "field", "threshold")
NOTE_LOOKML = """- dashboard: restored
  title: {title}
  layout: newspaper
  elements:
  - name: note
    type: text
    title_text: Hello
"""


def test_profile_and_release_are_shown(standin_factory: StandInFactory) -> None:
    assert PROFILES == ("lenient", "strict", "core")
    for profile, release in (("lenient", "25.20.17"), ("strict", "23.2.26"), ("core", "25.20.17")):
        standin = standin_factory(seed=SeedSize.empty(), profile=profile)
        assert (standin.profile, standin.release) == (profile, release)
        versions = sdk_for(standin).versions()
        assert versions.looker_release_version == release
        assert versions.current_version is not None
        assert versions.current_version.full_version == f"4.0.{release}"
    chosen = standin_factory(seed=SeedSize.empty(), profile="strict", release="24.0.1")
    assert sdk_for(chosen).versions().looker_release_version == "24.0.1"


def test_an_unknown_profile_or_release_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown profile"):
        StandIn(profile="loose")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="not a Looker release"):
        StandIn(release="latest")


def _alert_body(standin: StandIn, **extra: Any) -> dict[str, Any]:
    seeded = standin.items("alerts")[0]
    body = {key: seeded[key] for key in ALERT_KEYS}
    return {**body, "dashboard_element_id": seeded["dashboard_element_id"], **extra}


def test_create_alert_honours_owner_and_disabled_only_when_lenient(
    standin_factory: StandInFactory,
) -> None:
    wanted = {"owner_id": "3", "is_disabled": True, "disabled_reason": "restored"}
    expected = {
        "lenient": wanted,
        "strict": {"owner_id": "1", "is_disabled": False, "disabled_reason": None},
    }
    for profile, shown in expected.items():
        standin = standin_factory(profile=profile)
        answer = raw_call(standin, "POST", "/alerts", _alert_body(standin, **wanted))
        assert answer.status_code == 200, answer.text
        alert = answer.json()
        assert {key: alert.get(key) for key in wanted} == shown, profile
        stored = next(a for a in standin.items("alerts") if a["id"] == alert["id"])
        assert {key: stored[key] for key in wanted} == shown, profile


def test_update_alert_field_sets_owner_and_disabled_in_every_profile(
    standin_factory: StandInFactory,
) -> None:
    for profile in PROFILES:
        standin = standin_factory(profile=profile)
        created = raw_call(standin, "POST", "/alerts", _alert_body(standin, owner_id="1")).json()
        patch = {"owner_id": "3", "is_disabled": True, "disabled_reason": "enable when ready"}
        answer = raw_call(standin, "PATCH", f"/alerts/{created['id']}", patch)
        assert answer.status_code == 200, answer.text
        shown = raw_call(standin, "GET", f"/alerts/{created['id']}").json()
        assert {key: shown[key] for key in patch} == patch, profile


def test_create_content_favorite_honours_user_id_only_when_lenient(
    standin_factory: StandInFactory,
) -> None:
    for profile, owner in (("lenient", "4"), ("strict", "1")):
        standin = standin_factory(seed=SeedSize(content_favorites=0), profile=profile)
        dashboard = next(d for d in standin.items("dashboards") if not d["deleted"])
        body = {"user_id": "4", "content_metadata_id": dashboard["content_metadata_id"]}
        answer = raw_call(standin, "POST", "/content_favorite", body)
        assert answer.status_code == 200, answer.text
        assert answer.json()["user_id"] == owner, profile
        assert [f["user_id"] for f in standin.items("content_favorites")] == [owner]


def _query_tile(standin: StandIn) -> dict[str, Any]:
    return next(
        element
        for dashboard in standin.items("dashboards")
        for element in dashboard["dashboard_elements"]
        if element["query_id"] and element["result_maker_id"]
    )


def test_a_result_maker_tile_is_pointed_at_a_look_only_when_lenient(
    standin_factory: StandInFactory,
) -> None:
    for profile, status in (("lenient", 200), ("strict", 422)):
        standin = standin_factory(profile=profile)
        tile, look = _query_tile(standin), standin.items("looks")[0]
        body = {"look_id": look["id"], "query_id": None, "merge_result_id": None}
        answer = raw_call(standin, "PATCH", f"/dashboard_elements/{tile['id']}", body)
        assert answer.status_code == status, (profile, answer.text)
        shown = raw_call(standin, "GET", f"/dashboard_elements/{tile['id']}").json()
        if status == 422:
            assert answer.json()["errors"][0]["field"] == "look_id"
            assert answer.json()["errors"][0]["message"] == SOURCE_WITH_RESULT_MAKER
            assert (shown["look_id"], shown["query_id"]) == (None, tile["query_id"])
        else:
            assert (shown["look_id"], shown["query_id"]) == (look["id"], None)
            assert shown["result_maker"]["query"]["id"] == look["query_id"]


def test_a_new_look_tile_is_made_in_every_profile(standin_factory: StandInFactory) -> None:
    for profile in PROFILES:
        standin = standin_factory(profile=profile)
        look = standin.items("looks")[0]
        body = {"dashboard_id": "1", "look_id": look["id"], "title": "Look tile"}
        answer = raw_call(standin, "POST", "/dashboard_elements", body)
        assert answer.status_code == 200, (profile, answer.text)
        assert answer.json()["look_id"] == look["id"]


@pytest.mark.parametrize(
    ("release", "import_answer", "alias_answer"),
    [
        ("25.20.17", "dashboard", "dashboard"),
        ("23.4.29", "dashboard", "dashboard"),
        ("23.2.26", "dashboard_lookml", "dashboard_lookml"),
        ("22.8.73", "dashboard_lookml", "dashboard_lookml"),
        ("22.6.72", "absent", "dashboard_lookml"),
        ("22.0.13", "absent", "absent"),
    ],
)
def test_the_lookml_import_answers_as_the_release_did(
    standin_factory: StandInFactory, release: str, import_answer: str, alias_answer: str
) -> None:
    standin = standin_factory(seed=SeedSize.empty(), release=release)
    for path, expected in (
        ("/dashboards/lookml", import_answer),
        ("/dashboards/from_lookml", alias_answer),
    ):
        body = {"folder_id": "1", "lookml": NOTE_LOOKML.format(title=path)}
        answer = raw_call(standin, "POST", path, body)
        titled = [d for d in standin.items("dashboards") if d["title"] == path]
        if expected == "absent":
            assert answer.status_code == 404 and not titled, path
            continue
        assert answer.status_code == 200 and len(titled) == 1, path
        if expected == "dashboard":
            assert answer.json()["id"] == titled[0]["id"]
        else:
            assert answer.json() == {
                "dashboard_id": titled[0]["id"],
                "folder_id": "1",
                "lookml": body["lookml"],
            }


def test_strict_answers_the_import_in_the_older_form_by_default(
    standin_factory: StandInFactory,
) -> None:
    standin = standin_factory(seed=SeedSize.empty(), profile="strict")
    body = {"folder_id": "1", "lookml": NOTE_LOOKML.format(title="Imported")}
    answer = raw_call(standin, "POST", "/dashboards/lookml", body)
    assert answer.status_code == 200 and "id" not in answer.json()
    assert answer.json()["dashboard_id"] == standin.items("dashboards")[0]["id"]
