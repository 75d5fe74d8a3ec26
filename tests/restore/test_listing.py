"""Reading the target: every item of a listing, whatever the backup led restore to expect,
and no page asked for past the end when the expectation holds."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from lookervault.local.standin import SeedSize, StandIn
from lookervault.local.standin.sdk import StandInSettings
from lookervault.looker.client import LookerClient, connect
from lookervault.looker.content_types import BY_NAME, DEFAULT_PAGE_SIZE
from lookervault.restore.target import Listing, list_all
from tests.support.looker_fixtures import StandInFactory

LOOKS = 2 * DEFAULT_PAGE_SIZE + 50


@pytest.fixture
def looker(standin_factory: StandInFactory) -> StandIn:
    return standin_factory(seed=SeedSize(looks=LOOKS), seed_value=0)


@pytest.fixture
def client(looker: StandIn) -> Iterator[LookerClient]:
    client = connect(StandInSettings(looker))
    yield client
    client.session.close()


def _pages_asked(looker: StandIn) -> int:
    return sum(1 for e in looker.exchanges if e.path.endswith("/looks/search"))


@pytest.mark.parametrize("expected", [0, 1, LOOKS, 10 * LOOKS])
def test_a_listing_holds_every_item_whatever_was_expected(
    looker: StandIn, client: LookerClient, expected: int
) -> None:
    live = {"deleted": "false"}
    listing = Listing(BY_NAME["looks"], live, expected)

    (found,) = list_all(client, [listing], at_once=4)

    ids = [str(look["id"]) for look in found]
    assert len(ids) == len(set(ids))
    assert set(ids) == {str(look["id"]) for look in looker.items("looks") if not look["deleted"]}


def test_the_expected_length_asks_each_page_once(looker: StandIn, client: LookerClient) -> None:
    live = [look for look in looker.items("looks") if not look["deleted"]]
    assert len(live) > 2 * DEFAULT_PAGE_SIZE
    looker.clear_exchanges()

    list_all(client, [Listing(BY_NAME["looks"], {"deleted": "false"}, len(live))], at_once=8)

    assert _pages_asked(looker) == len(live) // DEFAULT_PAGE_SIZE + 1
