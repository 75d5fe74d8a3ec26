"""User attribute values that decide who sees which rows: a user's own values come back
(into another instance and into the same one), and hidden values, which no backup can hold,
are never wiped by a restore."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from looker_sdk import models40 as m

from lookervault.local.standin import StandIn
from lookervault.restore.plan import quieted
from tests.restore.conftest import (
    SMALL,
    Restore,
    differences,
    extract_items,
    writes,
)
from tests.restore.test_migrate import only_backed_up
from tests.support.looker_fixtures import StandInFactory, sdk_for

VALUES = dataclasses.replace(SMALL, user_attribute_user_values=8)
HIDDEN = dataclasses.replace(SMALL, hidden_attributes=1)


def _own_values(items: dict[str, dict[str, dict]]) -> dict[str, list[dict]]:
    return {
        i: u["attribute_values"] for i, u in items["users"].items() if u.get("attribute_values")
    }


def test_users_own_values_are_backed_up_and_come_back_in_another_instance(
    standin_factory: StandInFactory, looker_b: StandIn, restore: Restore, tmp_path: Path
) -> None:
    looker_a = standin_factory(seed=VALUES, seed_value=0)
    backed_up = extract_items(looker_a, tmp_path / "a.db")
    own = _own_values(backed_up)
    assert own and all(v["source"] == "user" for vs in own.values() for v in vs)

    done = restore(looker_b, "--db", str(tmp_path / "a.db"), "--yes")

    assert done.code == 0, done.err
    restored = extract_items(looker_b, tmp_path / "b.db")
    assert len(_own_values(restored)) == len(own)
    assert only_backed_up(differences(quieted(backed_up), restored, "lenient")) == []
    looker_b.clear_exchanges()
    assert restore(looker_b, "--db", str(tmp_path / "a.db"), "--yes").code == 0
    assert writes(looker_b) == []


def test_a_changed_and_a_removed_own_value_are_put_back_in_the_same_instance(
    standin_factory: StandInFactory, restore: Restore, tmp_path: Path
) -> None:
    looker_a = standin_factory(seed=VALUES, seed_value=0)
    backed_up = extract_items(looker_a, tmp_path / "a.db")
    (changed, values), (removed, gone) = list(_own_values(backed_up).items())[:2]
    sdk = sdk_for(looker_a)
    attribute = str(values[0]["user_attribute_id"])
    sdk.set_user_attribute_user_value(changed, attribute, m.WriteUserAttributeWithValue(value="x"))
    sdk.delete_user_attribute_user_value(removed, str(gone[0]["user_attribute_id"]))

    done = restore(looker_a, "--db", str(tmp_path / "a.db"), "--yes")

    assert done.code == 0, done.err
    after = _own_values(extract_items(looker_a, tmp_path / "after.db"))
    assert after == _own_values(backed_up)


def test_hidden_values_survive_a_restore_that_also_brings_back_a_group(
    standin_factory: StandInFactory, restore: Restore, tmp_path: Path
) -> None:
    looker_a = standin_factory(seed=HIDDEN, seed_value=0)
    truth = {v["id"]: v["value"] for v in looker_a.items("user_attribute_group_values")}
    backed_up = extract_items(looker_a, tmp_path / "a.db")
    hidden = [a for a in backed_up["user_attributes"].values() if a.get("value_is_hidden")]
    assert hidden and all(v["value"] is None for a in hidden for v in a["group_values"])
    values = hidden[0]["group_values"]
    assert len(values) >= 2
    sdk = sdk_for(looker_a)
    sdk.delete_group(str(values[-1]["group_id"]))  # its values go with it

    done = restore(looker_a, "--db", str(tmp_path / "a.db"), "--yes", "--json")

    assert done.code == 0, done.err
    report = done.json()
    assert any("enter them again" in note for note in report["notes"]), report["notes"]
    kept = {v["id"]: v["value"] for v in looker_a.items("user_attribute_group_values")}
    survived = [i for i in truth if i in kept]
    assert survived and all(kept[i] == truth[i] for i in survived)
    assert all(value is not None for value in kept.values())
