"""`lookervault.logs.setup` inside the test process, for one test, with logging put back after."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest

LABELS = "logging.googleapis.com/labels"
TRACE = "logging.googleapis.com/trace"
SOURCE = "logging.googleapis.com/sourceLocation"


def parse_entries(text: str) -> list[dict[str, Any]]:
    """Every line as one JSON object: the structured-log contract (docs/job.md)."""
    entries = [json.loads(line) for line in text.splitlines()]
    for entry in entries:
        assert isinstance(entry, dict), entry
        assert entry["severity"] and entry["message"], entry
    return entries


@pytest.fixture
def structured_logging() -> Iterator[None]:
    """The test calls `logs.setup` (after `capsys` took stdout); this undoes it afterwards."""
    root = logging.getLogger()
    ours = logging.getLogger("lookervault")
    handlers, root_level, our_level = root.handlers[:], root.level, ours.level
    yield
    logging.captureWarnings(False)
    for handler in root.handlers[:]:
        root.removeHandler(handler)
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(root_level)
    ours.setLevel(our_level)
