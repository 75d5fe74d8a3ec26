"""IAM, played by the fault proxy: which permission each Cloud Storage JSON API request needs,
and a proxy that refuses (403) every request a role does not grant.

A test then runs the real job, function or CLI against the emulator with only the permissions
infra/ gives it: the code and the IAM cannot drift apart unnoticed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from tests.support.fault_proxy import FaultProxy, Record

_OBJECT = r"/b/[^/]+/o/[^/]+"
RULES = [
    ({"POST", "PUT"}, r"^/upload/storage/v1/b/[^/]+/o$", "storage.objects.create"),
    ({"GET"}, r"^/storage/v1/b/[^/]+/o$", "storage.objects.list"),
    ({"GET"}, rf"^(/download)?/storage/v1{_OBJECT}$", "storage.objects.get"),
    ({"DELETE"}, rf"^/storage/v1{_OBJECT}$", "storage.objects.delete"),
    ({"PATCH", "PUT"}, rf"^/storage/v1{_OBJECT}$", "storage.objects.update"),
    ({"GET"}, r"^/storage/v1/b/[^/]+$", "storage.buckets.get"),
]
FOREVER = 1_000_000


def permission(record: Record) -> str:
    for methods, pattern, needed in RULES:
        if record.method in methods and re.match(pattern, record.path):
            return needed
    raise AssertionError(f"no permission mapped for {record.method} {record.path}")


def grant_only(proxy: FaultProxy, granted: set[str]) -> None:
    """From now on the proxy answers 403 to every request that needs something not granted."""
    for methods, pattern, needed in RULES:
        if needed not in granted:
            for method in methods:
                proxy.fail(403, times=FOREVER, method=method, path_regex=pattern)


def allowed(records: Iterable[Record]) -> set[str]:
    """Permissions of the requests that went through."""
    return {permission(record) for record in records if record.fault is None}


def refused(records: Iterable[Record]) -> set[str]:
    """Permissions of the requests the proxy refused."""
    return {permission(record) for record in records if record.fault == "status"}
