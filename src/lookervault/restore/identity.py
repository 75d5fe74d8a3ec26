"""Is the target the instance the backup came from? Decided from what Looker says of itself,
never from the URL alone: one instance answers at several URLs, and a new instance may answer
at an old one's.

    --same-instance / --other-instance                  -> that, whatever the evidence
    items both hold under one id (users, folders, ...)   -> created at the same moment: the same
                                                            instance, unless both are configured
                                                            with URLs that differ: a copy of its
                                                            database, perhaps; refuse, exit 2;
                                                            at other moments: another
    nothing to compare: the URL each instance reports    -> equal: the same; else another
    neither reports one: the URL host used               -> equal: the same; else another

The decision changes what a restore does (same ids are matched, schedules stay as they were),
so the plan prints it with its reason, and the restore state is kept per decided instance.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from lookervault.errors import UsageError
from lookervault.looker.content_types import REGISTRY

Json = dict[str, Any]
Items = Mapping[str, Mapping[str, Json]]
Basis = Literal["override", "content", "instance_url", "url"]

AGREEMENT = 0.8
"""Share of the compared items whose creation times must agree for the same instance: an email
login deleted and made again gives a user a new one, so a few may differ."""

SAMPLE = 200
"""Items compared per type: enough to tell, few enough that restoring one dashboard out of
thousands does not read every dashboard of the backup."""


DATED = tuple(ct for ct in REGISTRY if ct.created_field)
"""Types whose items say when Looker made them (a user: its email login's moment)."""


@dataclass(frozen=True)
class Fingerprint:
    """Items both sides hold under the same id, by whether they were created at the same moment."""

    agreeing: int = 0
    differing: int = 0

    @property
    def compared(self) -> int:
        return self.agreeing + self.differing


@dataclass(frozen=True)
class Identity:
    """Same instance or another, on which evidence, and why in a sentence."""

    same: bool
    basis: Basis
    reason: str

    def record(self) -> Json:
        return {"same_instance": self.same, "basis": self.basis, "reason": self.reason}


def fingerprint(source: Items, target: Items) -> Fingerprint:
    """Up to `SAMPLE` items of each type, the first ids both sides hold."""
    agreeing = differing = 0
    for ct in DATED:
        theirs = target.get(ct.name, {})
        mine_too = source.get(ct.name, {})
        field = ct.created_field or ""
        for item_id in [i for i in mine_too if i in theirs][:SAMPLE]:
            mine, their = ct.value(mine_too[item_id], field), ct.value(theirs[item_id], field)
            if not mine or not their:
                continue
            if _moment(mine) == _moment(their):
                agreeing += 1
            else:
                differing += 1
    return Fingerprint(agreeing, differing)


def _refuse_a_clone(counted: str, source: str | None, target: str | None) -> None:
    """Content that agrees while the configured URLs differ: the same instance renamed, or a
    copy of its database (a staging clone), where same-instance rules would bring schedules
    back enabled and mail real people. Only the user can tell which."""
    if source is None or target is None or source == target:
        return
    raise UsageError(
        f"The target Looker holds the backup's own items ({counted} were created at the same "
        f"moment), yet it is configured as {target} while the backup's instance was "
        f"configured as {source}: it may be a copy of that instance's database.",
        "Pass --other-instance to restore into it as another instance (schedules and alerts "
        "come back disabled), or --same-instance if it is the very instance under a new URL.",
    )


def _moment(value: Any) -> Any:
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)


def decide(
    prints: Fingerprint,
    source_url: str | None,
    target_url: str | None,
    source_host: str,
    target_host: str,
    override: bool | None = None,
    configured: tuple[str | None, str | None] = (None, None),
) -> Identity:
    """`*_url`: the `host[:port]` each instance reports for itself (None: unknown);
    `*_host`: the one the backup was read from and the one the restore reaches;
    `configured`: the URL each is configured with (its `host_url` setting), where known."""
    if override is not None:
        flag = "--same-instance" if override else "--other-instance"
        return Identity(override, "override", f"{flag} was given")
    if prints.compared:
        share = prints.agreeing / prints.compared
        counted = f"{prints.agreeing} of {prints.compared} items held under the same id"
        if share >= AGREEMENT:
            _refuse_a_clone(counted, *configured)
            via = ""
            if source_url and target_url and source_url != target_url:
                via = f" (it now calls itself {target_url}, the backup says {source_url})"
            return Identity(True, "content", f"{counted} were created at the same moment{via}")
        return Identity(
            False,
            "content",
            f"only {counted} were created at the same moment: another instance, whatever its URL",
        )
    if source_url and target_url:
        same = source_url == target_url
        word = "the same" if same else f"{target_url}, not {source_url}"
        return Identity(
            same, "instance_url", f"no items to compare; the instance calls itself {word}"
        )
    same = source_host == target_host
    word = "the same URL host" if same else f"{target_host}, not {source_host}"
    return Identity(
        same,
        "url",
        f"no items to compare and no instance URL on both sides; reached at {word}",
    )
