"""YAML as export writes it: keys sorted, no line folding, multi-line text as `|` blocks.

The same value always gives the same bytes, and `load(dump(value)) == value` for anything
JSON holds (a string that would read back as another type is quoted). Writing always uses
PyYAML's Python emitter: libyaml's is faster but writes other bytes in corners (it escapes
emoji and other characters beyond U+FFFF, and writes an empty key another way), so exports made
on machines with and without libyaml would differ. Reading uses libyaml when there is one:
both read the same values.
"""

from __future__ import annotations

from typing import Any

import yaml

_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
WIDTH = 1 << 16
"""Long strings stay on one line: a changed word is a one-line diff."""


class _Dumper(yaml.SafeDumper):
    pass


_OTHER_BREAKS = ("\x85", "\u2028", "\u2029")
"""Line breaks to YAML besides \\n and \\r: PyYAML writes them raw in a block or single
quotes, where NEL reads back as \\n, so text holding one is double-quoted (escaped)."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = None
    if any(c in value for c in _OTHER_BREAKS):
        style = '"'
    elif "\n" in value:
        style = "|"
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def dump(value: Any) -> str:
    text: str = yaml.dump(
        value,
        Dumper=_Dumper,
        sort_keys=True,
        allow_unicode=True,
        default_flow_style=False,
        width=WIDTH,
    )
    return text


def load(text: str) -> Any:
    return yaml.load(text, Loader=_LOADER)
