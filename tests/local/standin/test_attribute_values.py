"""User attribute values: a user's own value over their groups' (lowest rank wins) over the
default, the calls that set and delete each, and hidden attributes that show every value as
null while keeping it."""

from __future__ import annotations

import looker_sdk
import pytest
from looker_sdk import models40 as m
from looker_sdk.sdk.api40.methods import Looker40SDK

from lookervault.local.standin import SeedSize, StandIn
from tests.support.looker_fixtures import StandInFactory, raw_call, sdk_for


def _attribute(sdk: Looker40SDK, name: str, default: str | None = None) -> str:
    made = sdk.create_user_attribute(
        m.WriteUserAttribute(name=name, label=name.title(), type="string", default_value=default)
    )
    assert made.id
    return made.id


def _values(sdk: Looker40SDK, user_id: str, attribute_id: str, **kwargs: object) -> list[tuple]:
    found = sdk.user_attribute_user_values(
        user_id, user_attribute_ids=m.DelimSequence([attribute_id]), **kwargs
    )
    return [(v.value, v.source, v.rank) for v in found]


def test_a_users_value_wins_over_groups_by_rank_over_the_default(
    standin_factory: StandInFactory,
) -> None:
    standin = standin_factory(seed=SeedSize.empty())
    sdk = sdk_for(standin)
    user = sdk.create_user(m.WriteUser(first_name="Ada", last_name="L"))
    assert user.id
    first = sdk.create_group(m.WriteGroup(name="First"))
    second = sdk.create_group(m.WriteGroup(name="Second"))
    assert first.id and second.id
    for group in (first, second):
        sdk.add_group_user(group.id, m.GroupIdForGroupUserInclusion(user_id=user.id))
    region = _attribute(sdk, "region", default="none")
    assert _values(sdk, user.id, region) == [("none", "default", None)]
    raw_call(
        standin,
        "POST",
        f"/user_attributes/{region}/group_values",
        [{"group_id": second.id, "value": "APAC"}, {"group_id": first.id, "value": "EMEA"}],
    )
    assert _values(sdk, user.id, region) == [("APAC", "group", 1)]
    sdk.set_user_attribute_user_value(user.id, region, m.WriteUserAttributeWithValue(value="AMER"))
    assert _values(sdk, user.id, region, all_values=True) == [
        ("AMER", "user", None),
        ("APAC", "group", 1),
        ("EMEA", "group", 2),
        ("none", "default", None),
    ]
    sdk.delete_user_attribute_user_value(user.id, region)
    assert _values(sdk, user.id, region) == [("APAC", "group", 1)]
    sdk.delete_user_attribute_group_value(second.id, region)
    assert _values(sdk, user.id, region) == [("EMEA", "group", 2)]


def test_unset_attributes_are_left_out_unless_asked_and_system_ones_come_from_the_account(
    standin_factory: StandInFactory,
) -> None:
    standin = standin_factory(seed=SeedSize.empty())
    sdk = sdk_for(standin)
    team = _attribute(sdk, "team")
    assert _values(sdk, "1", team) == []
    assert _values(sdk, "1", team, include_unset=True) == [(None, None, None)]
    every = {v.name: (v.value, v.source) for v in sdk.user_attribute_user_values("1")}
    assert every["email"] == (standin.items("users")[0]["email"], "system")
    assert "team" not in every
    with pytest.raises(looker_sdk.error.SDKError):
        sdk.set_user_attribute_user_value("1", "1", m.WriteUserAttributeWithValue(value="x"))
    with pytest.raises(looker_sdk.error.SDKError):
        sdk.user_attribute_user_values("999")


def test_a_group_value_is_set_and_removed_one_group_at_a_time(
    standin_factory: StandInFactory,
) -> None:
    standin = standin_factory(seed=SeedSize.empty())
    sdk = sdk_for(standin)
    group = sdk.create_group(m.WriteGroup(name="Sales"))
    assert group.id
    brand = _attribute(sdk, "brand")
    made = raw_call(
        standin, "PATCH", f"/groups/{group.id}/attribute_values/{brand}", {"value": "x"}
    )
    assert made.status_code == 200 and made.json()["value"] == "x"
    again = raw_call(standin, "PATCH", f"/groups/1/attribute_values/{brand}", {"value": "y"})
    assert again.json()["rank"] == made.json()["rank"] + 1
    assert [(v.group_id, v.value) for v in sdk.all_user_attribute_group_values(brand)] == [
        (group.id, "x"),
        ("1", "y"),
    ]
    assert (
        raw_call(standin, "DELETE", f"/groups/{group.id}/attribute_values/{brand}").status_code
        == 204
    )
    assert [v.group_id for v in sdk.all_user_attribute_group_values(brand)] == ["1"]
    assert (
        raw_call(
            standin, "PATCH", f"/groups/999/attribute_values/{brand}", {"value": "z"}
        ).status_code
        == 404
    )


def test_hidden_values_read_back_null_but_are_kept(standin_factory: StandInFactory) -> None:
    standin = standin_factory(seed=SeedSize(hidden_attributes=1, user_attribute_user_values=60))
    sdk = sdk_for(standin)
    hidden = next(a for a in standin.items("user_attributes") if a["value_is_hidden"])
    stored = [v for v in standin.items("user_attribute_group_values")]
    stored = [v for v in stored if v["user_attribute_id"] == hidden["id"]]
    assert stored and all(v["value"] for v in stored)
    shown = sdk.all_user_attribute_group_values(hidden["id"])
    assert [(v.value, v.value_is_hidden) for v in shown] == [(None, True)] * len(stored)
    owners = [v for v in standin.items("user_attribute_user_values")]
    owner = next(v for v in owners if v["user_attribute_id"] == hidden["id"])
    found = sdk.user_attribute_user_values(
        owner["user_id"], user_attribute_ids=m.DelimSequence([hidden["id"]])
    )
    assert [(v.value, v.value_is_hidden, v.source) for v in found] == [(None, True, "user")]
    written = sdk.set_user_attribute_user_value(
        owner["user_id"], hidden["id"], m.WriteUserAttributeWithValue(value="secret")
    )
    assert (written.value, written.value_is_hidden) == (None, True)
    kept = [v for v in standin.items("user_attribute_user_values") if v["id"] == owner["id"]]
    assert kept[0]["value"] == "secret"


def test_the_domain_allowlist_cannot_be_edited_once_set(standin: StandIn, sdk: Looker40SDK) -> None:
    made = sdk.create_user_attribute(
        m.WriteUserAttribute(
            name="token",
            label="Token",
            type="string",
            value_is_hidden=True,
            hidden_value_domain_whitelist="https://a.example.com/*",
        )
    )
    assert made.id
    sdk.update_user_attribute(
        made.id, m.WriteUserAttribute(label="Token 2", name="token", type="string")
    )
    with pytest.raises(looker_sdk.error.SDKError) as refused:
        sdk.update_user_attribute(
            made.id,
            m.WriteUserAttribute(
                name="token",
                label="Token",
                type="string",
                hidden_value_domain_whitelist="https://b.example.com/*",
            ),
        )
    assert [e.field for e in refused.value.errors] == ["hidden_value_domain_whitelist"]


def test_a_deleted_user_or_attribute_takes_its_user_values(standin_factory: StandInFactory) -> None:
    standin = standin_factory(seed=SeedSize(user_attribute_user_values=12))
    sdk = sdk_for(standin)
    values = standin.items("user_attribute_user_values")
    assert len(values) == 12
    sdk.delete_user(values[0]["user_id"])
    sdk.delete_user_attribute(values[-1]["user_attribute_id"])
    left = standin.items("user_attribute_user_values")
    assert left and all(v["user_id"] != values[0]["user_id"] for v in left)
    assert all(v["user_attribute_id"] != values[-1]["user_attribute_id"] for v in left)
