"""Deploy tests: the stand-ins the job and the function meet in production, as in tests/backup."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from lookervault.local.standin import SeedSize, StandIn
from tests.retention.conftest import looker_db, upload_snapshots  # noqa: F401
from tests.support.fault_proxy import fault_proxy  # noqa: F401
from tests.support.looker_fixtures import standin_factory  # noqa: F401


@pytest.fixture
def standin(standin_factory: Callable[..., StandIn]) -> StandIn:  # noqa: F811
    return standin_factory(seed=SeedSize.scaled(6))
