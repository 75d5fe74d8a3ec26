"""What a lock (locks/*.txt) says an environment holds, and what that environment's `pip freeze`
says it holds: the image test and the bundle test compare the two."""

from __future__ import annotations

import json
import re
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

# PEP 508's marker environment, printed by the interpreter being checked (stdlib only, so it
# runs in the image and in a fresh virtualenv alike).
MARKER_ENVIRONMENT = """
import json, os, platform, sys
v = sys.implementation.version
implementation = f"{v.major}.{v.minor}.{v.micro}"
if v.releaselevel != "final":
    implementation += v.releaselevel[0] + str(v.serial)
print(json.dumps({
    "implementation_name": sys.implementation.name,
    "implementation_version": implementation,
    "os_name": os.name,
    "platform_machine": platform.machine(),
    "platform_python_implementation": platform.python_implementation(),
    "platform_release": platform.release(),
    "platform_system": platform.system(),
    "platform_version": platform.version(),
    "python_full_version": platform.python_version(),
    "python_version": ".".join(platform.python_version_tuple()[:2]),
    "sys_platform": sys.platform,
}))
"""


def locked(lock: Path, environment: str) -> dict[str, str]:
    """Name -> version of every pin in `lock` whose marker holds in `environment` (the JSON
    that MARKER_ENVIRONMENT prints)."""
    markers = json.loads(environment)
    pins = {}
    for line in lock.read_text(encoding="utf-8").splitlines():
        if not line or line[0] in " #":
            continue  # hashes, annotations, comments
        requirement = Requirement(line.rstrip(" \\"))
        if requirement.marker is None or requirement.marker.evaluate(markers):
            [pin] = requirement.specifier
            assert pin.operator == "==", f"{lock.name}: {line} is not pinned"
            pins[canonicalize_name(requirement.name)] = pin.version
    return pins


def frozen(freeze: str) -> dict[str, str]:
    """Name -> version of each `name==version` line of `pip freeze`."""
    found = {}
    for line in freeze.splitlines():
        match = re.fullmatch(r"([A-Za-z0-9._-]+)==(\S+)", line.strip())
        assert match, f"not a pinned distribution in pip freeze: {line!r}"
        found[canonicalize_name(match.group(1))] = match.group(2)
    return found
