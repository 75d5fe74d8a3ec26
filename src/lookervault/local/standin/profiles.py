"""Profiles: which plausible answer the stand-in gives where the spec does not say how Looker
answers.

Looker is not the stand-in. Where no source confirms Looker's answer, a client must cope with
each plausible one, so the stand-in gives one per profile (docs/development.md, "Looker
behaviours the stand-in models", names each behaviour and its evidence):

- lenient: the answers a client would hope for; the stand-in as it always was.
- strict: the other answer, wherever a client may rely on an unconfirmed one.
- core: Looker (Google Cloud core): the calls the spec says it may deny answer 403, no regular
  user can be impersonated, and users are made without an email login.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Literal

Profile = Literal["lenient", "strict", "core"]
PROFILES: tuple[Profile, ...] = ("lenient", "strict", "core")

DEFAULT_RELEASES: dict[Profile, str] = {
    "lenient": "25.20.17",
    "strict": "23.2.26",
    "core": "25.20.17",
}
"""The release `GET /versions` reports unless one is given: strict runs the last release whose
dashboard LookML import answers in the older form (releases.py)."""


@dataclass(frozen=True)
class Answers:
    """The answers one profile gives (each UNCONFIRMED where Looker's own is not documented)."""

    creates_as_given: bool
    """create_alert honours `owner_id` and `is_disabled`, and create_content_favorite
    `user_id`; else the caller owns what it creates and a new alert is enabled."""
    look_over_result_maker: bool
    """update_dashboard_element may point a tile that has a result maker at a look; else 422."""
    access_in_any_order: bool
    """A subfolder's access may be narrowed below its parent's at any time; else only once the
    parent has been narrowed (top-down)."""
    google_cloud_core: bool
    """The spec's deniable calls answer 403, login_user of a regular user answers 403, and
    create_user makes no email login."""
    components_on_every_layout: bool
    """A new tile gets a component on every layout (tab) of its dashboard, and a new layout
    one for every tile; else a new tile goes on the active layout only and a new layout
    starts empty."""
    granular_derived: bool
    """A component written with coarse positions only gets granular ones derived from them
    (and coarse from granular); else each set is kept as written, granular null until set."""
    favorites_of_everyone: bool
    """search_content_favorites without `user_id` answers every user's favourites; else only
    the caller's."""
    trashed_boards_listed: bool
    """all_boards and search_boards show trashed boards (with `deleted_at`); else only
    `board(id)` does."""


LENIENT = Answers(
    creates_as_given=True,
    look_over_result_maker=True,
    access_in_any_order=True,
    google_cloud_core=False,
    components_on_every_layout=True,
    granular_derived=True,
    favorites_of_everyone=True,
    trashed_boards_listed=True,
)
ANSWERS: dict[Profile, Answers] = {
    "lenient": LENIENT,
    "strict": Answers(
        creates_as_given=False,
        look_over_result_maker=False,
        access_in_any_order=False,
        google_cloud_core=False,
        components_on_every_layout=False,
        granular_derived=False,
        favorites_of_everyone=False,
        trashed_boards_listed=False,
    ),
    "core": dataclasses.replace(LENIENT, google_cloud_core=True),
}

PENDING: dict[str, bool] = {"favorites_of_everyone": False}
"""Answers of the strict profile that LookerVault's restore does not cope with yet, given
only when asked (`StandIn(pending=True)`, `--pending`): until then strict gives lenient's
answer there. A search of favourites without `user_id` answering only the caller's makes a
backup hold only the API user's favourites (WHERE-LOOKER-MAY-DIFFER 2b)."""

TAB_KEYS_FOLLOW_RELEASE = False
"""Whether layouts below release 25.18 leave out a tab's `label` and `order` by default:
not yet, since a restore from a 25.18+ backup into an older release would see them differ
(`StandIn(tabs_follow_release=True)` asks for it)."""


def answers_for(profile: Profile, *, pending: bool) -> Answers:
    """The profile's answers; with `pending`, strict's answers in PENDING too."""
    answers = ANSWERS[profile]
    if profile != "strict" or pending:
        return answers
    return dataclasses.replace(answers, **{name: getattr(LENIENT, name) for name in PENDING})
