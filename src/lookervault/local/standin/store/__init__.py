"""The stand-in's content: seeded objects plus create/update/delete with Looker's rules.

Objects are replaced, never mutated in place, so a response being serialised in one thread
never sees a half-applied update from another. One lock guards the tables, their indexes and
the id sequences.
Request bodies reach the store already checked against the spec's request schema (api.py);
the store applies what Looker checks beyond types: required fields, references, uniqueness,
and the rules in rules.py.

The store is one object behind that one lock, written in one module per content family, each
a mixin on the shared base `Tables` (tables.py: the tables, the lock, id sequences; indexes.py:
the tables' indexes): folders.py, users.py (with groups, user attributes and roles),
dashboards.py, boards.py, schedules.py (with alerts), queries.py, access.py (content metadata
and access entries), favorites.py and lookml_dashboards.py (dashboard LookML out and in; the
YAML itself in lookml.py). core.py holds the generic reads, writes and checks, and combines
the mixins into `Store`.
"""

from __future__ import annotations

from lookervault.local.standin.store.core import Store
from lookervault.local.standin.store.tables import CHILDREN, Delivery

__all__ = ["CHILDREN", "Delivery", "Store"]
