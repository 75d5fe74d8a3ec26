"""Calls Looker (Google Cloud core) may refuse, and what a restore does instead of failing.

The spec says of a few operations that "calls to this endpoint may be denied by Looker
(Google Cloud core)". A restore into such an instance must not fail a role because it cannot
set the role's groups, and then every user holding the role, and then everything they own. A
403 or 405 from one of these calls ends that part with a note; the restore state remembers
the refusal for the target, so later plans leave the part out and say so before writing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from lookervault.looker.client import LookerRequestError

REFUSALS = frozenset({403, 405})


@dataclass(frozen=True)
class Deniable:
    """A part of a restore made through calls Looker (Google Cloud core) may deny."""

    name: str
    operations: tuple[str, ...]
    """The spec's operationIds of the calls."""
    note: str
    """What the restore left undone, and what to do instead."""


DENIABLE: Mapping[str, Deniable] = MappingProxyType(
    {
        d.name: d
        for d in (
            Deniable(
                "role_groups",
                ("set_role_groups",),
                "Looker refused to set which groups hold a role (set_role_groups, which "
                "Looker (Google Cloud core) may deny): the roles are restored without their "
                "groups; grant them to the groups in the Google Cloud console (IAM) or in "
                "Looker's Admin > Roles page.",
            ),
            Deniable(
                "email_logins",
                ("create_user_credentials_email", "update_user_credentials_email"),
                "Looker refused to set users' email logins (credentials_email calls, which "
                "Looker (Google Cloud core) may deny): the users are restored without one and "
                "sign in through Google.",
            ),
            Deniable(
                "login_user",
                ("login_user",),
                "Looker refused to let the restore act as other users (login_user, which "
                "Looker (Google Cloud core) denies for regular users): favourites can only be "
                "made by their own users, so they are not restored; each user can mark them "
                "again.",
            ),
        )
    }
)


def refused(exc: LookerRequestError) -> bool:
    """Looker's answer when it will not do this call at all (not a passing fault)."""
    return exc.status in REFUSALS
