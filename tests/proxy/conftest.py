"""Fixtures for the fault proxy's own tests."""

from __future__ import annotations

import uuid

import pytest
from google.cloud import storage

from tests.support.fault_proxy import FaultProxy, fault_proxy  # noqa: F401


@pytest.fixture
def proxied_bucket(fault_proxy: FaultProxy) -> storage.Bucket:  # noqa: F811
    """A fresh bucket whose client talks through the proxy; records start empty."""
    client = storage.Client(project="test-project")
    bucket = client.create_bucket(f"lv-proxy-{uuid.uuid4().hex[:12]}")
    fault_proxy.reset()
    return bucket
