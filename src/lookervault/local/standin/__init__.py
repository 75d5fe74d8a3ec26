"""A local Looker API 4.0 stand-in: a real HTTP server speaking the wire protocol of looker_sdk.

Seeded deterministically, with fault knobs (latency, 429, 5xx, failing pages and writes, errors
after the write, dropped connections), a profile per plausible answer where Looker's is
unconfirmed (lenient, strict, core), a record of every exchange so tests can check the traffic
against Looker's official OpenAPI spec, and a record of every delivery that would have mailed
someone.
"""

from __future__ import annotations

from lookervault.local.standin.faults import Faults
from lookervault.local.standin.profiles import PROFILES, Profile
from lookervault.local.standin.seed import SeedSize
from lookervault.local.standin.server import Exchange, StandIn
from lookervault.local.standin.store import Delivery
from lookervault.local.standin.types import CONTENT_TYPES

__all__ = [
    "CONTENT_TYPES",
    "PROFILES",
    "Delivery",
    "Exchange",
    "Faults",
    "Profile",
    "SeedSize",
    "StandIn",
]
