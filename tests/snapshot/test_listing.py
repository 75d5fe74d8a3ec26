"""Listing stays a few API calls and is cached per bucket, prefix and instance."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import google.cloud.storage as storage

from lookervault.snapshot.naming import build_name
from tests.snapshot.conftest import Run
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
    assert second.json() == first.json()
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
