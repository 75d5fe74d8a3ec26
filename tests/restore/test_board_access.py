"""Who sees a board: a private board comes back private, in another instance and in the same
one, and granting access to it never mails anyone."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from looker_sdk import models40 as m

from lookervault.local.standin import StandIn
from lookervault.restore.plan import quieted
from tests.restore.conftest import SMALL, Items, Restore, differences, extract_items, writes
from tests.restore.test_migrate import only_backed_up
from tests.support.looker_fixtures import StandInFactory, sdk_for

PRIVATE = dataclasses.replace(SMALL, private_boards=1)


def _private(items: Items) -> list[str]:
    return [
        str(b["title"])
        for b in items["boards"].values()
        if (b.get("content_metadata") or {}).get("inherits") is False
    ]


def test_a_private_board_comes_back_private_in_another_instance_without_mailing_anyone(
    standin_factory: StandInFactory, looker_b: StandIn, restore: Restore, tmp_path: Path
) -> None:
    looker_a = standin_factory(seed=PRIVATE, seed_value=0)
    backed_up = extract_items(looker_a, tmp_path / "a.db")
    private = _private(backed_up)
    assert private

    done = restore(looker_b, "--db", str(tmp_path / "a.db"), "--yes")

    assert done.code == 0, done.err
    restored = extract_items(looker_b, tmp_path / "b.db")
    assert _private(restored) == private
    assert only_backed_up(differences(quieted(backed_up), restored, "lenient")) == []
    grants = looker_b.board_grants
    assert grants and all(g.send_boards_notification_email == "false" for g in grants)
    looker_b.clear_exchanges()
    assert restore(looker_b, "--db", str(tmp_path / "a.db"), "--yes").code == 0
    assert writes(looker_b) == []


def test_a_private_board_opened_to_everyone_is_made_private_again(
    standin_factory: StandInFactory, restore: Restore, tmp_path: Path
) -> None:
    looker_a = standin_factory(seed=PRIVATE, seed_value=0)
    backed_up = extract_items(looker_a, tmp_path / "a.db")
    board = next(b for b in backed_up["boards"].values() if b["title"] in _private(backed_up))
    sdk_for(looker_a).update_content_metadata(
        str(board["content_metadata_id"]), m.WriteContentMeta(inherits=True)
    )
    assert _private(extract_items(looker_a, tmp_path / "opened.db")) == []

    done = restore(looker_a, "--db", str(tmp_path / "a.db"), "--yes")

    assert done.code == 0, done.err
    assert _private(extract_items(looker_a, tmp_path / "after.db")) == _private(backed_up)
