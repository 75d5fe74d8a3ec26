"""Property tests of the retention decision over random snapshot sets, policies and clocks."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from lookervault.retention.policy import Decision, RetentionPolicy, decide
from lookervault.snapshot.catalog import Snapshot
from tests.retention.factory import make_snapshot

DAY_SECONDS = 86_400


@st.composite
def snapshot_sets(draw: st.DrawFn) -> tuple[list[Snapshot], datetime]:
    """Snapshots spread over ~400 days around a random clock, some future-dated or protected."""
    now = draw(
        st.datetimes(
            min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)
        )
    )
    offsets = draw(
        st.lists(
            st.integers(min_value=-2 * DAY_SECONDS, max_value=400 * DAY_SECONDS),
            unique=True,
            max_size=40,
        )
    )
    snapshots = []
    for offset in offsets:
        created = now - timedelta(seconds=offset)
        skew = draw(st.sampled_from([0, 0, 0, -3600, 7200, -5 * DAY_SECONDS]))
        snapshots.append(
            make_snapshot(
                created,
                named=created + timedelta(seconds=skew) if skew else None,
                protected=draw(st.booleans()) and draw(st.booleans()),
                hold=draw(st.integers(0, 9)) == 0,
                generation=draw(st.integers(1, 2**40)),
                incomplete=draw(st.integers(0, 5)) == 0,
            )
        )
    unique = {snapshot.name: snapshot for snapshot in snapshots}
    return list(unique.values()), now


@st.composite
def policies(draw: st.DrawFn) -> RetentionPolicy:
    max_age = draw(st.none() | st.floats(min_value=0, max_value=200))
    min_age = draw(st.floats(min_value=0, max_value=max_age if max_age is not None else 60))
    return RetentionPolicy(
        max_age_days=max_age,
        min_count=draw(st.integers(1, 12)),
        min_age_days=min_age,
        keep_daily=draw(st.integers(0, 10)),
        keep_weekly=draw(st.integers(0, 6)),
        keep_monthly=draw(st.integers(0, 6)),
    )


def deleted(decisions: list[Decision]) -> list[Snapshot]:
    return [decision.snapshot for decision in decisions if not decision.keep]


cases = given(snapshot_sets(), policies())
tune = settings(max_examples=200, deadline=None)


@tune
@cases
def test_one_decision_per_snapshot(
    case: tuple[list[Snapshot], datetime], policy: RetentionPolicy
) -> None:
    snapshots, now = case
    decisions = decide(snapshots, policy, now)
    assert sorted(d.snapshot.name for d in decisions) == sorted(s.name for s in snapshots)
    assert all(decision.reasons for decision in decisions)


@tune
@cases
def test_never_deletes_a_protected_snapshot(
    case: tuple[list[Snapshot], datetime], policy: RetentionPolicy
) -> None:
    snapshots, now = case
    assert not any(snapshot.protected for snapshot in deleted(decide(snapshots, policy, now)))


@tune
@cases
def test_never_deletes_a_future_dated_snapshot(
    case: tuple[list[Snapshot], datetime], policy: RetentionPolicy
) -> None:
    snapshots, now = case
    for snapshot in deleted(decide(snapshots, policy, now)):
        assert snapshot.created <= now
        assert snapshot.timestamp <= now


@tune
@cases
def test_never_leaves_fewer_than_min_count_whole_snapshots(
    case: tuple[list[Snapshot], datetime], policy: RetentionPolicy
) -> None:
    """Incomplete snapshots do not count toward min_count: the N newest whole ones stay."""
    snapshots, now = case
    whole = [s for s in snapshots if not s.incomplete]
    kept = [d.snapshot for d in decide(snapshots, policy, now) if d.keep]
    assert len([s for s in kept if not s.incomplete]) >= min(policy.min_count, len(whole))


@tune
@cases
def test_an_incomplete_snapshot_never_takes_a_slot_from_a_whole_one(
    case: tuple[list[Snapshot], datetime], policy: RetentionPolicy
) -> None:
    """Adding incomplete snapshots changes no decision about the whole ones."""
    snapshots, now = case
    whole = [s for s in snapshots if not s.incomplete]
    with_incomplete = {d.snapshot.name: d for d in decide(snapshots, policy, now)}
    for decision in decide(whole, policy, now):
        assert with_incomplete[decision.snapshot.name] == decision


@tune
@cases
def test_never_deletes_anything_younger_than_min_age(
    case: tuple[list[Snapshot], datetime], policy: RetentionPolicy
) -> None:
    snapshots, now = case
    for snapshot in deleted(decide(snapshots, policy, now)):
        assert now - snapshot.created >= timedelta(days=policy.min_age_days)


@tune
@cases
def test_deletes_only_past_max_age_or_by_gfs_pruning(
    case: tuple[list[Snapshot], datetime], policy: RetentionPolicy
) -> None:
    snapshots, now = case
    gone = deleted(decide(snapshots, policy, now))
    if policy.max_age_days is None:
        assert not gone or policy.keep_daily or policy.keep_weekly or policy.keep_monthly
    else:
        for snapshot in gone:
            assert now - snapshot.created > timedelta(days=policy.max_age_days)


@tune
@cases
def test_applying_the_policy_to_what_it_keeps_deletes_nothing_more(
    case: tuple[list[Snapshot], datetime], policy: RetentionPolicy
) -> None:
    snapshots, now = case
    first = decide(snapshots, policy, now)
    kept = [d.snapshot for d in first if d.keep]
    second = decide(kept, policy, now)
    assert deleted(second) == []
    assert [d.reasons for d in second] == [d.reasons for d in first if d.keep]


@tune
@given(snapshot_sets(), policies(), st.randoms(use_true_random=False))
def test_the_result_does_not_depend_on_listing_order(
    case: tuple[list[Snapshot], datetime], policy: RetentionPolicy, rng: random.Random
) -> None:
    snapshots, now = case
    shuffled = list(snapshots)
    rng.shuffle(shuffled)
    assert decide(shuffled, policy, now) == decide(snapshots, policy, now)
