"""The fault proxy for freshness tests (it reports chosen creation times)."""

from tests.support.fault_proxy import fault_proxy

__all__ = ["fault_proxy"]
