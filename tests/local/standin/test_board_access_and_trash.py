"""Boards' own access (content metadata that may stop inheriting, view or edit entries, the
notification parameter as sent) and boards' trash (`deleted_at`, written by PATCH)."""

from __future__ import annotations

import pytest
from looker_sdk import models40 as m

from lookervault.local.standin import PROFILES, Profile, SeedSize
from lookervault.local.standin.store.tables import BoardGrant
from tests.support.looker_fixtures import StandInFactory, raw_call, sdk_for


def test_a_private_board_has_its_own_access_entries(standin_factory: StandInFactory) -> None:
    standin = standin_factory(seed=SeedSize(private_boards=1))
    sdk = sdk_for(standin)
    private = [
        board
        for board in sdk.all_boards()
        if board.content_metadata_id
        and not sdk.content_metadata(board.content_metadata_id).inherits
    ]
    assert len(private) == 1 and private[0].content_metadata_id
    meta = sdk.content_metadata(private[0].content_metadata_id)
    assert (meta.content_type, meta.homepage_id) == ("board", private[0].id)
    entries = sdk.all_content_metadata_accesses(private[0].content_metadata_id)
    assert entries and {str(e.permission_type.value) for e in entries if e.permission_type} <= {
        "view",
        "edit",
    }


def test_the_notification_parameter_is_recorded_as_sent(standin_factory: StandInFactory) -> None:
    standin = standin_factory(seed=SeedSize.empty())
    sdk = sdk_for(standin)
    board = sdk.create_board(m.WriteBoard(title="Team"))
    assert board.id and board.content_metadata_id
    sdk.update_content_metadata(board.content_metadata_id, m.WriteContentMeta(inherits=False))
    for group, flag in (("1", None), ("2", "false"), ("3", "true")):
        if group != "1":
            sdk.create_group(m.WriteGroup(name=f"Group {group}"))
        query = "" if flag is None else f"?send_boards_notification_email={flag}"
        body = {"content_metadata_id": board.content_metadata_id, "permission_type": "view"}
        made = raw_call(
            standin, "POST", f"/content_metadata_access{query}", {**body, "group_id": group}
        )
        assert made.status_code == 200
    assert standin.board_grants == [
        BoardGrant(board.id, None),
        BoardGrant(board.id, "false"),
        BoardGrant(board.id, "true"),
    ]
    assert [d.kind for d in standin.deliveries] == ["boards_notification_email"]


@pytest.mark.parametrize("profile", PROFILES)
def test_a_trashed_board_is_still_served_by_id(
    standin_factory: StandInFactory, profile: Profile
) -> None:
    standin = standin_factory(seed=SeedSize(trashed_boards=1), profile=profile)
    sdk = sdk_for(standin)
    trashed = [b for b in standin.items("boards") if b["deleted_at"]]
    assert len(trashed) == 1
    assert sdk.board(trashed[0]["id"]).deleted_at
    listed = {b.id for b in sdk.all_boards()} | {b.id for b in sdk.search_boards()}
    shown = trashed[0]["id"] in listed
    assert shown is (profile != "strict")
    assert len(listed) == len(standin.items("boards")) - (0 if shown else 1)


def test_deleted_at_trashes_and_restores_a_board_and_a_section(
    standin_factory: StandInFactory,
) -> None:
    standin = standin_factory()
    sdk = sdk_for(standin)
    board = standin.items("boards")[0]
    # looker_sdk writes times as "+0000", which the spec's date-time refuses: sent raw.
    stamp = "2024-05-01T12:00:00+02:00"
    trashed = raw_call(standin, "PATCH", f"/boards/{board['id']}", {"deleted_at": stamp})
    assert trashed.json()["deleted_at"] == "2024-05-01T10:00:00.000+00:00"
    assert sdk.board(board["id"]).deleted_at
    assert (
        raw_call(standin, "PATCH", f"/boards/{board['id']}", {"deleted_at": None}).json()[
            "deleted_at"
        ]
        is None
    )
    section = board["board_sections"][0]
    path = f"/board_sections/{section['id']}"
    assert raw_call(standin, "PATCH", path, {"deleted_at": stamp}).json()["deleted_at"]
    assert sdk.board_section(section["id"]).deleted_at
