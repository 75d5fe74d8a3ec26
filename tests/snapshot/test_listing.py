"""Listing stays a few API calls and is cached per bucket, prefix and instance."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import google.cloud.storage as storage

from lookervault.snapshot.naming import build_name
from tests.snapshot.conftest import Run
from tests.support.cli import run_cli
from tests.support.fault_proxy import FaultProxy

LIST_OBJECTS = dict(method="GET", path_regex=r"^/storage/v1/b/[^/]+/o(\?|$)")


def fill(bucket: storage.Bucket, count: int, instance: str = "default") -> None:
    start = datetime(2024, 1, 1, tzinfo=UTC)
    names = [
        build_name("snapshots/", instance, "looker", start + timedelta(hours=i)).object_name
        for i in range(count)
    ]

    def put(name: str) -> None:
        bucket.blob(name).upload_from_string(b"x", content_type="application/gzip")

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(put, names))


def test_listing_2000_snapshots_takes_two_requests_then_none(
    run: Run, bucket: storage.Bucket, fault_proxy: FaultProxy
) -> None:
    fill(bucket, 2000)
    fault_proxy.reset()
    first = run("snapshot", "list", "--json")
    assert first.code == 0, first.err
    assert first.json()["total_count"] == 2000
    assert 1 <= fault_proxy.count(**LIST_OBJECTS) <= 2
    newest = first.json()["snapshots"][0]
    assert newest["sequential_index"] == 1
    assert newest["timestamp"] == "2024-03-24T07:00:00Z"

    fault_proxy.reset()
    second = run("snapshot", "list", "--json")
    assert second.json() == {**first.json(), "from_cache": True}
    assert fault_proxy.records == []


def test_our_own_upload_invalidates_the_cache(
    run: Run, bucket: storage.Bucket, fault_proxy: FaultProxy, sample_db: Path
) -> None:
    assert run("snapshot", "list", "--json").json()["total_count"] == 0
    assert run("snapshot", "upload", "--source", str(sample_db)).code == 0
    assert run("snapshot", "list", "--json").json()["total_count"] == 1
    run("snapshot", "delete", "1", "--force")
    assert run("snapshot", "list", "--json").json()["total_count"] == 0


def test_cache_is_per_instance_and_no_cache_bypasses_it(
    run: Run, bucket: storage.Bucket, fault_proxy: FaultProxy
) -> None:
    fill(bucket, 3, instance="emea")
    fill(bucket, 2, instance="apac")
    assert run("snapshot", "list", "--json", "--instance", "emea").json()["total_count"] == 3
    assert run("snapshot", "list", "--json", "--instance", "apac").json()["total_count"] == 2
    fill(bucket, 1, instance="tmp")
    bucket.blob("snapshots/emea/looker-2030-01-01T00-00-00.db.gz").upload_from_string(b"x")
    fault_proxy.reset()
    cached = run("snapshot", "list", "--json", "--instance", "emea").json()
    assert cached["total_count"] == 3 and fault_proxy.records == []
    fresh = run("snapshot", "list", "--json", "--instance", "emea", "--no-cache").json()
    assert fresh["total_count"] == 4
    assert fault_proxy.count(**LIST_OBJECTS) == 1


def test_since_and_filter_narrow_the_listing(run: Run, bucket: storage.Bucket) -> None:
    fill(bucket, 50)
    december = run("snapshot", "list", "--json", "--filter", "2024-01-02").json()
    assert december["total_count"] == 24
    recent = run("snapshot", "list", "--json", "--since", "1d").json()
    assert recent["total_count"] == 0
    bad = run("snapshot", "list", "--since", "soon")
    assert bad.code == 2


def put_at(bucket: storage.Bucket, moment: datetime, metadata: dict[str, str]) -> str:
    name = build_name("snapshots/", "default", "looker", moment).object_name
    blob = bucket.blob(name)
    blob.metadata = metadata
    blob.upload_from_string(b"x" * 2048, content_type="application/gzip")
    return name


def test_since_keeps_the_recent_snapshots_with_their_indices(
    run: Run, bucket: storage.Bucket
) -> None:
    now = datetime.now(UTC)
    for age in (timedelta(days=3), timedelta(hours=30), timedelta(hours=2), timedelta(minutes=5)):
        put_at(bucket, now - age, {})
    listed = run("snapshot", "list", "--json", "--since", "1d").json()
    assert [s["sequential_index"] for s in listed["snapshots"]] == [1, 2]
    assert listed["total_count"] == 2
    week = run("snapshot", "list", "--json", "--since", "2w").json()
    assert [s["sequential_index"] for s in week["snapshots"]] == [1, 2, 3, 4]


def test_the_table_and_its_verbose_details(bucket: storage.Bucket) -> None:
    put_at(
        bucket, datetime(2025, 12, 1, 3, 0, tzinfo=UTC), {"lookervault-protected-reason": "audit"}
    )
    name = put_at(
        bucket,
        datetime(2025, 12, 2, 3, 0, tzinfo=UTC),
        {
            "lookervault-raw-size": str(5 * 1024 * 1024),
            "lookervault-looker-host": "mycompany.looker.com",
            "lookervault-looker-version": "25.0.1",
            "lookervault-counts": '{"dashboards":12,"looks":3}',
        },
    )
    table = run_cli("snapshot", "list", env={"COLUMNS": "80"})  # as a pipe gets it
    assert table.code == 0, table.err
    (header,) = [line for line in table.out.splitlines() if "timestamp (UTC)" in line]
    assert [cell.strip() for cell in header.split("┃")[1:-1]] == [
        "#",
        "timestamp (UTC)",
        "size",
        "crc32c",
        "protected",
        "incomplete",
    ]
    rows = [[cell.strip() for cell in line.split("│")[1:-1]] for line in table.out.splitlines()]
    rows = [row for row in rows if row]
    assert rows[0][:3] == ["1", "2025-12-02 03:00:00", "2.0 KB"]
    assert rows[1][:3] == ["2", "2025-12-01 03:00:00", "2.0 KB"] and rows[1][4] == "audit"
    assert "details" not in table.out

    narrow = run_cli("snapshot", "list", "-v", env={"COLUMNS": "80"}).out
    assert "details" in narrow and "…" not in narrow  # folded, never cut
    verbose = run_cli("snapshot", "list", "-v", env={"COLUMNS": "200"}).out
    for shown in (name, "raw 5.0 MB", "looker mycompany.looker.com 25.0.1", "dashboards 12"):
        assert shown in verbose, shown
