"""Fixtures for extraction tests: a seeded stand-in whose traffic must match the official spec."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from lookervault.local.standin import Faults, SeedSize, StandIn
from lookervault.looker.client import RetryPolicy, load_settings
from lookervault.looker.extract import ExtractionResult, extract
from tests.support.openapi_check import validate_exchanges

FAST_RETRY = RetryPolicy(max_attempts=8, base_delay_s=0.02, max_delay_s=0.2)
SMALL_PAGE = 7
"""Small pages so every paged type spans several of them."""


@pytest.fixture
def standin() -> Iterator[StandIn]:
    """A default-seeded stand-in; every exchange of the test must validate against the spec."""
    with StandIn(seed=SeedSize(), faults=Faults(), seed_value=0) as server:
        yield server
        problems = validate_exchanges(server.exchanges)
    assert problems == [], "\n".join(problems[:20])


@pytest.fixture
def looker_env(standin: StandIn, monkeypatch: pytest.MonkeyPatch) -> StandIn:
    """LOOKERSDK_* pointing at the stand-in, as a user would configure the SDK."""
    monkeypatch.setenv("LOOKERSDK_BASE_URL", standin.base_url)
    monkeypatch.setenv("LOOKERSDK_CLIENT_ID", standin.client_id)
    monkeypatch.setenv("LOOKERSDK_CLIENT_SECRET", standin.client_secret)
    monkeypatch.setenv("LOOKERSDK_VERIFY_SSL", "false")
    return standin


Extract = Callable[..., ExtractionResult]


@pytest.fixture
def run_extract(looker_env: StandIn) -> Extract:
    """`extract(db, ...)` in process, with small pages and fast retries unless overridden."""

    def run(db_path: Path, types: list[str] | None = None, **options: object) -> ExtractionResult:
        options.setdefault("workers", 4)
        options.setdefault("page_size", SMALL_PAGE)
        options.setdefault("retry", FAST_RETRY)
        return extract(db_path, types, settings=load_settings(), **options)  # type: ignore[arg-type]

    return run


def content(db_path: Path) -> list[tuple[object, ...]]:
    """Every content row, in key order: what 'the same database' means for extraction."""
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute("select * from content order by type, id").fetchall()
    finally:
        conn.close()
