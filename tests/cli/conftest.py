"""The CLI as a process: the snapshot fixtures (sample databases, the fault proxy) apply here."""

from tests.snapshot.conftest import sample_db  # noqa: F401
from tests.support.fault_proxy import fault_proxy  # noqa: F401
