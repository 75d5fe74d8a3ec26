"""Unit tests of the retention decision: each rule, its reason, and bad policies."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError

from lookervault.config import load_settings
from lookervault.errors import ConfigError
from lookervault.retention import policy as retention
from lookervault.retention.policy import RetentionPolicy, decide, policy_from_settings
from tests.retention.factory import NOW, days_ago, make_snapshot


def by_name(decisions: list[retention.Decision]) -> dict[str, retention.Decision]:
    return {decision.snapshot.name: decision for decision in decisions}


def kept_ages(decisions: list[retention.Decision]) -> list[float]:
    return sorted(
        (NOW - decision.snapshot.created) / timedelta(days=1)
        for decision in decisions
        if decision.keep
    )


def test_default_policy_deletes_nothing() -> None:
    snapshots = [make_snapshot(days_ago(days)) for days in range(0, 400, 7)]
    decisions = decide(snapshots, RetentionPolicy(), NOW)
    assert all(decision.keep for decision in decisions)
    assert all(retention.MAX_AGE_OFF in decision.reasons for decision in decisions[5:])


def test_max_age_zero_keeps_exactly_the_newest_min_count() -> None:
    snapshots = [make_snapshot(days_ago(days)) for days in range(1, 9)]
    decisions = decide(snapshots, RetentionPolicy(max_age_days=0, min_count=3), NOW)
    assert kept_ages(decisions) == [1, 2, 3]
    assert [d.reasons for d in decisions if d.keep] == [("newest 3",)] * 3
    assert {d.reasons for d in decisions if not d.keep} == {(retention.OLDER_THAN_MAX_AGE,)}
    assert all(d.delete_reason == retention.OLDER_THAN_MAX_AGE for d in decisions if not d.keep)


def test_decisions_come_newest_first_whatever_the_listing_order() -> None:
    snapshots = [make_snapshot(days_ago(days)) for days in (5, 1, 9, 3)]
    decisions = decide(snapshots, RetentionPolicy(max_age_days=4, min_count=1), NOW)
    assert [d.snapshot.created for d in decisions] == sorted(
        (s.created for s in snapshots), reverse=True
    )
    assert [d.keep for d in decisions] == [True, True, False, False]


def test_max_age_keeps_what_is_younger() -> None:
    snapshots = [make_snapshot(days_ago(days)) for days in (1, 10, 29, 31, 60)]
    decisions = decide(snapshots, RetentionPolicy(max_age_days=30, min_count=1), NOW)
    assert kept_ages(decisions) == [1, 10, 29]
    assert retention.YOUNGER_THAN_MAX_AGE in by_name(decisions)[snapshots[2].name].reasons


def test_protected_snapshot_is_kept_against_the_policy() -> None:
    old_marker = make_snapshot(days_ago(100), protected=True)
    old_hold = make_snapshot(days_ago(90), hold=True)
    snapshots = [make_snapshot(days_ago(1)), old_marker, old_hold, make_snapshot(days_ago(80))]
    decisions = by_name(decide(snapshots, RetentionPolicy(max_age_days=7, min_count=1), NOW))
    for protected in (old_marker, old_hold):
        decision = decisions[protected.name]
        assert decision.keep
        assert decision.reasons == (retention.PROTECTED,)
        assert decision.kept_against_policy
        assert decision.delete_reason == retention.OLDER_THAN_MAX_AGE
    assert not decisions[snapshots[3].name].keep
    assert not decisions[snapshots[0].name].kept_against_policy


def test_protected_snapshot_counts_among_the_newest() -> None:
    newest = make_snapshot(days_ago(1), protected=True)
    snapshots = [newest, make_snapshot(days_ago(2)), make_snapshot(days_ago(3))]
    decisions = by_name(decide(snapshots, RetentionPolicy(max_age_days=0, min_count=2), NOW))
    assert decisions[newest.name].reasons == (retention.PROTECTED, "newest 2")
    assert not decisions[newest.name].kept_against_policy
    assert decisions[snapshots[1].name].keep
    assert not decisions[snapshots[2].name].keep


def test_future_dates_are_kept_reported_and_take_no_newest_slot() -> None:
    future_name = make_snapshot(days_ago(50), named=NOW + timedelta(days=3))
    future_created = make_snapshot(NOW + timedelta(hours=1), named=days_ago(2))
    others = [make_snapshot(days_ago(days)) for days in (10, 20, 30)]
    policy = RetentionPolicy(max_age_days=0, min_count=2)
    decisions = by_name(decide([future_name, future_created, *others], policy, NOW))
    assert decisions[future_name.name].reasons == (retention.FUTURE,)
    assert decisions[future_name.name].kept_against_policy
    assert decisions[future_created.name].keep
    assert retention.FUTURE in decisions[future_created.name].reasons
    assert "newest 2" not in decisions[future_created.name].reasons
    assert [decisions[s.name].keep for s in others] == [True, True, False]


def test_age_comes_from_creation_time_not_the_name() -> None:
    forged_old_name = make_snapshot(days_ago(1), named=days_ago(300))
    snapshots = [forged_old_name, *(make_snapshot(days_ago(d)) for d in (0.5, 0.2))]
    decisions = by_name(decide(snapshots, RetentionPolicy(max_age_days=2, min_count=1), NOW))
    assert decisions[forged_old_name.name].keep
    assert decisions[forged_old_name.name].reasons == (retention.YOUNGER_THAN_MAX_AGE,)


def test_min_age_keeps_young_snapshots() -> None:
    snapshots = [make_snapshot(days_ago(days)) for days in (0.1, 0.5, 2, 3)]
    policy = RetentionPolicy(max_age_days=1, min_age_days=1, min_count=1)
    decisions = decide(snapshots, policy, NOW)
    assert kept_ages(decisions) == [0.1, 0.5]
    assert retention.YOUNGER_THAN_MIN_AGE in decisions[1].reasons


def test_daily_keep_prunes_the_rest_when_max_age_is_off() -> None:
    # three snapshots a day for six days
    snapshots = [make_snapshot(days_ago(day + hour / 24)) for day in range(6) for hour in (1, 5, 9)]
    decisions = decide(snapshots, RetentionPolicy(min_count=1, keep_daily=4), NOW)
    kept = [d for d in decisions if d.keep]
    assert [round((NOW - d.snapshot.created) / timedelta(hours=1)) for d in kept] == [
        1,
        25,
        49,
        73,
    ]
    assert kept[1].reasons == (retention.DAILY,)
    assert {d.reasons for d in decisions if not d.keep} == {(retention.NOT_KEPT_BY_GFS,)}


def test_weekly_and_monthly_keeps_outlive_max_age() -> None:
    snapshots = [make_snapshot(days_ago(days)) for days in range(0, 120)]
    policy = RetentionPolicy(max_age_days=3, min_count=1, keep_weekly=2, keep_monthly=3)
    decisions = decide(snapshots, policy, NOW)
    kept = [d for d in decisions if d.keep]
    weekly = [d.snapshot.created for d in kept if retention.WEEKLY in d.reasons]
    monthly = [d.snapshot.created for d in kept if retention.MONTHLY in d.reasons]
    # NOW is Sunday 2025-06-15: the newest snapshot of this ISO week and of the week before
    assert [moment.date().isoformat() for moment in weekly] == ["2025-06-15", "2025-06-08"]
    assert [moment.date().isoformat() for moment in monthly] == [
        "2025-06-15",
        "2025-05-31",
        "2025-04-30",
    ]
    assert len(kept) == 4 + 3  # days 0-3 by max age, 2025-06-08, 2025-05-31, 2025-04-30


def test_invalid_policies_are_refused_with_a_clear_error() -> None:
    with pytest.raises(ValidationError, match=r"min_age_days .* larger than max_age_days"):
        RetentionPolicy(max_age_days=5, min_age_days=10)
    with pytest.raises(ValidationError, match="min_count"):
        RetentionPolicy(min_count=0)
    with pytest.raises(ValidationError, match="max_age_days"):
        RetentionPolicy(max_age_days=float("nan"))
    with pytest.raises(ValidationError, match="keep_daily"):
        RetentionPolicy(keep_daily=-1)


def test_policy_from_settings_and_a_contradicting_override() -> None:
    settings = load_settings(
        retention_min_count=2, retention_min_age_days=3, retention_keep_monthly=6
    )
    policy = policy_from_settings(settings)
    assert policy == RetentionPolicy(min_count=2, min_age_days=3, keep_monthly=6)
    assert policy_from_settings(settings, max_age_days=4).max_age_days == 4
    with pytest.raises(ConfigError, match="min_age_days") as caught:
        policy_from_settings(settings, max_age_days=1)
    assert caught.value.exit_code == 2
    assert caught.value.hint
