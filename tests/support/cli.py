"""Running `lookervault` in-process in tests: exit code, stdout and stderr."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)
