"""The retention decision: one pure function shared by the Cloud Function and the CLI.

`decide(snapshots, policy, now)` returns one `Decision` per snapshot. A snapshot is deleted only
if no rule keeps it. The rules, in the words the decisions use:

Always kept, whatever the policy says (overrides):
- `protected`: a temporary hold or the protection marker in its metadata.
- `dated in the future`: its name or its server-side creation time is after `now` (clock skew
  or a forged name). It is kept, reported, and takes no `newest N` or daily/weekly/monthly slot.

Kept by the policy:
- `newest N` (N = `min_count`): the N newest snapshots that are not dated in the future and
  not incomplete, protected ones included. Newest means latest creation time, ties broken by
  name. An `incomplete` snapshot (uploaded with `--allow-incomplete`) takes no `newest N` and
  no daily/weekly/monthly slot, so it can never push a whole backup out; the age rules below
  apply to it as to any other.
- `younger than min_age_days`.
- `daily keep`, `weekly keep`, `monthly keep` (`keep_daily` = D, ...): the newest snapshot of
  each of the D most recent UTC days (ISO weeks, calendar months) that have a snapshot.
- `younger than max_age_days`, when `max_age_days` is set.
- `max_age_days off`: when `max_age_days` is unset and no daily/weekly/monthly rule is set,
  nothing is ever deleted.

Deleted when no rule above keeps it:
- `older than max_age_days`, when `max_age_days` is set;
- `not kept by daily/weekly/monthly` when `max_age_days` is unset and at least one of
  `keep_daily`/`keep_weekly`/`keep_monthly` is set: the grandfather-father-son rules then
  prune everything they do not keep, beyond `min_count` and `min_age_days`.

Age is always `now - created` (the server's creation time), never the time in the name, so
clock skew and forged names cannot make a snapshot look old. The decision does not depend on
listing order, and applying it to what it keeps deletes nothing more.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from lookervault.config import Settings
from lookervault.errors import ConfigError
from lookervault.snapshot.catalog import Snapshot

PROTECTED = "protected"
FUTURE = "dated in the future"
YOUNGER_THAN_MIN_AGE = "younger than min_age_days"
YOUNGER_THAN_MAX_AGE = "younger than max_age_days"
MAX_AGE_OFF = "max_age_days off"
DAILY = "daily keep"
WEEKLY = "weekly keep"
MONTHLY = "monthly keep"
OLDER_THAN_MAX_AGE = "older than max_age_days"
NOT_KEPT_BY_GFS = "not kept by daily/weekly/monthly"
INCOMPLETE = "incomplete: counts toward no newest/daily/weekly/monthly keep"


class RetentionPolicy(BaseModel):
    """What to keep; validated so that contradictions fail before anything is deleted."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    max_age_days: float | None = Field(default=None, ge=0)
    min_count: int = Field(default=5, ge=1)
    min_age_days: float = Field(default=0, ge=0)
    keep_daily: int = Field(default=0, ge=0)
    keep_weekly: int = Field(default=0, ge=0)
    keep_monthly: int = Field(default=0, ge=0)

    @model_validator(mode="after")
    def _min_age_within_max_age(self) -> RetentionPolicy:
        if self.max_age_days is not None and self.min_age_days > self.max_age_days:
            raise ValueError(
                f"min_age_days ({self.min_age_days:g}) is larger than max_age_days "
                f"({self.max_age_days:g}): snapshots between the two ages would be both "
                "too young to delete and too old to keep"
            )
        return self

    @property
    def prunes_by_gfs(self) -> bool:
        return self.max_age_days is None and (
            self.keep_daily > 0 or self.keep_weekly > 0 or self.keep_monthly > 0
        )

    def describe(self) -> dict[str, Any]:
        """The policy as recorded in audit entries and summaries."""
        return self.model_dump()


def policy_from_settings(settings: Settings, max_age_days: float | None = None) -> RetentionPolicy:
    """The configured policy; `max_age_days` overrides the setting once (`--older-than`)."""
    values: dict[str, Any] = {
        "max_age_days": settings.retention_max_age_days,
        "min_count": settings.retention_min_count,
        "min_age_days": settings.retention_min_age_days,
        "keep_daily": settings.retention_keep_daily,
        "keep_weekly": settings.retention_keep_weekly,
        "keep_monthly": settings.retention_keep_monthly,
    }
    if max_age_days is not None:
        values["max_age_days"] = max_age_days
    try:
        return RetentionPolicy(**values)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc']) or 'policy'}: {error['msg']}"
            for error in exc.errors()
        )
        raise ConfigError(
            f"Invalid retention policy: {problems}",
            "Fix LOOKERVAULT_RETENTION_* / [retention] in lookervault.toml or the flag and retry.",
        ) from exc


@dataclass(frozen=True)
class Decision:
    """Keep or delete one snapshot, and why.

    `delete_reason` is what the policy alone would delete it for; it is set on a kept snapshot
    only when protection or a future date overrode the policy (such keeps are audited).
    """

    snapshot: Snapshot
    keep: bool
    reasons: tuple[str, ...]
    delete_reason: str | None = None

    @property
    def kept_against_policy(self) -> bool:
        return self.keep and self.delete_reason is not None


def _order_key(snapshot: Snapshot) -> tuple[datetime, str, int]:
    return (snapshot.created, snapshot.name, snapshot.generation)


def _identity(snapshot: Snapshot) -> tuple[str, int]:
    return (snapshot.name, snapshot.generation)


def _newest_per_period(
    ranked: Sequence[Snapshot], count: int, period: Callable[[datetime], Hashable]
) -> set[tuple[str, int]]:
    """The newest snapshot of each of the `count` most recent periods."""
    chosen: dict[Hashable, tuple[str, int]] = {}
    for snapshot in ranked:
        key = period(snapshot.created)
        if key not in chosen:
            if len(chosen) == count:
                break
            chosen[key] = _identity(snapshot)
    return set(chosen.values())


def _is_future(snapshot: Snapshot, now: datetime) -> bool:
    return snapshot.created > now or snapshot.timestamp > now


def decide(snapshots: Iterable[Snapshot], policy: RetentionPolicy, now: datetime) -> list[Decision]:
    """One decision per snapshot, newest first (see the module docstring for the rules)."""
    ordered = sorted(snapshots, key=_order_key, reverse=True)
    ranked = [s for s in ordered if not _is_future(s, now) and not s.incomplete]
    newest = {_identity(snapshot) for snapshot in ranked[: policy.min_count]}
    periodic = {
        DAILY: _newest_per_period(ranked, policy.keep_daily, lambda moment: moment.date()),
        WEEKLY: _newest_per_period(
            ranked, policy.keep_weekly, lambda moment: moment.isocalendar()[:2]
        ),
        MONTHLY: _newest_per_period(
            ranked, policy.keep_monthly, lambda moment: (moment.year, moment.month)
        ),
    }
    min_age = timedelta(days=policy.min_age_days)
    max_age = None if policy.max_age_days is None else timedelta(days=policy.max_age_days)

    decisions = []
    for snapshot in ordered:
        overrides = [PROTECTED] if snapshot.protected else []
        if _is_future(snapshot, now):
            overrides.append(FUTURE)
        identity = _identity(snapshot)
        age = now - snapshot.created
        keeps = []
        if identity in newest:
            keeps.append(f"newest {policy.min_count}")
        if age < min_age:
            keeps.append(YOUNGER_THAN_MIN_AGE)
        keeps.extend(reason for reason, names in periodic.items() if identity in names)
        if max_age is not None and age <= max_age:
            keeps.append(YOUNGER_THAN_MAX_AGE)
        if max_age is None and not policy.prunes_by_gfs:
            keeps.append(MAX_AGE_OFF)

        note = (INCOMPLETE,) if snapshot.incomplete else ()
        if keeps:
            decisions.append(Decision(snapshot, True, (*overrides, *keeps, *note)))
            continue
        delete_reason = OLDER_THAN_MAX_AGE if max_age is not None else NOT_KEPT_BY_GFS
        if overrides:
            decisions.append(Decision(snapshot, True, (*overrides, *note), delete_reason))
        else:
            decisions.append(Decision(snapshot, False, (delete_reason, *note), delete_reason))
    return decisions
