"""Build the list of calls Looker (Google Cloud core) may deny, from the official spec.

`python -m tests.support.core_denied` rewrites `src/lookervault/local/standin/core_denied.py`:
every operation whose description says it "may be denied by [Looker (Google Cloud core)]", as
(method, path template). The stand-in's core profile answers those it serves with 403. A
Python module rather than JSON, so it ships with the package without a package-data entry. A
test compares the shipped module with a fresh build, so the two cannot drift apart.
"""

from __future__ import annotations

from pathlib import Path

from lookervault.local import standin
from tests.support.openapi_check import spec_data

MARKER = "may be denied by [Looker (Google Cloud core)]"
MODULE_PATH = Path(standin.__file__).with_name("core_denied.py")
HEADER = '''"""The calls Looker (Google Cloud core) may deny: each operation of the official
spec whose description says it "may be denied by [Looker (Google Cloud core)]", as (method,
path template).

Generated from tests/looker_api/Looker.4.0.oas.json by `python -m tests.support.core_denied`;
a test keeps it equal to a fresh build. Do not edit by hand.
"""

from __future__ import annotations
'''


def build() -> list[tuple[str, str]]:
    """(method, template) of every deniable operation, by path then method."""
    return sorted(
        (
            (method.upper(), template)
            for template, item in spec_data()["paths"].items()
            for method, operation in item.items()
            if isinstance(operation, dict) and MARKER in operation.get("description", "")
        ),
        key=lambda pair: (pair[1], pair[0]),
    )


def render() -> str:
    rows = [f'        ("{method}", "{template}"),' for method, template in build()]
    body = ["CORE_DENIED: frozenset[tuple[str, str]] = frozenset(", "    {", *rows, "    }", ")"]
    return HEADER + "\n" + "\n".join(body) + "\n"


if __name__ == "__main__":
    MODULE_PATH.write_text(render(), encoding="utf-8")
    print(f"wrote {MODULE_PATH}")
