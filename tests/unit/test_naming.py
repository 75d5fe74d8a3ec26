from datetime import UTC, datetime, timedelta, timezone

import pytest

from lookervault.snapshot.naming import build_name, parse_name

MOMENT = datetime(2025, 12, 31, 23, 59, 59, 999_000, tzinfo=UTC)


def test_name_layout_and_round_trip() -> None:
    name = build_name("snapshots/", "emea", "looker", MOMENT)
    assert name.object_name == "snapshots/emea/looker-2025-12-31T23-59-59.db.gz"
    assert parse_name(name.object_name, "snapshots/") == name


def test_local_times_are_named_in_utc() -> None:
    plus_two = timezone(timedelta(hours=2))
    name = build_name(
        "snapshots/", "default", "looker", datetime(2025, 1, 1, 1, 0, tzinfo=plus_two)
    )
    assert name.filename == "looker-2024-12-31T23-00-00.db.gz"


def test_a_taken_name_moves_on_a_second_across_midnight() -> None:
    name = build_name("snapshots/", "default", "looker", MOMENT).next_second()
    assert name.filename == "looker-2026-01-01T00-00-00.db.gz"


def test_filename_prefix_with_hyphens_parses_from_the_right() -> None:
    parsed = parse_name("snapshots/x/looker-prod-eu-2025-01-02T03-04-05.db.gz", "snapshots/")
    assert parsed is not None
    assert parsed.filename_prefix == "looker-prod-eu"
    assert parsed.timestamp == datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    exact = "snapshots/x/looker-prod-eu-2025-01-02T03-04-05.db.gz"
    assert parse_name(exact, "snapshots/", "looker") is None
    assert parse_name(exact, "snapshots/", "looker-prod-eu") is not None


@pytest.mark.parametrize(
    "name",
    [
        "tmp/x",
        "snapshots/default/looker-2025-01-02T03-04-05.db",
        "snapshots/default/looker-2025-13-02T03-04-05.db.gz",
        "snapshots/default/2025-01-02T03-04-05.db.gz",
        "snapshots/default/nested/looker-2025-01-02T03-04-05.db.gz",
        "snapshots/looker-2025-01-02T03-04-05.db.gz",
        "other/default/looker-2025-01-02T03-04-05.db.gz",
        "snapshots/default/looker-2025-01-02T03-04-05.db.gz.part",
    ],
)
def test_non_snapshot_names_are_rejected(name: str) -> None:
    assert parse_name(name, "snapshots/") is None
