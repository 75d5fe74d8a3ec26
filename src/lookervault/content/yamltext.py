"""YAML as export writes it: keys sorted, no line folding, multi-line text as `|` blocks.

The same value always gives the same bytes, and `load(dump(value)) == value` for anything
JSON holds (a string that would read back as another type is quoted). libyaml does the work
when PyYAML has it; the Python emitter writes the same bytes, only slower.
"""

from __future__ import annotations

from typing import Any

import yaml

_BASE_DUMPER: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
WIDTH = 1 << 16
"""Long strings stay on one line: a changed word is a one-line diff."""


class _Dumper(_BASE_DUMPER):  # type: ignore[misc, valid-type]
    pass


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
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
