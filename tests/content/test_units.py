"""Pure logic of the export: YAML that reads back as written, the same bytes from either
emitter, file names, folder directories, and which fields an export may leave out."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

import attr
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from looker_sdk.sdk.api40 import models as sdk_models

from lookervault.content import tree, yamltext
from lookervault.content.listing import folder_paths
from lookervault.looker.compare import ACTIVITY, VOLATILE
from lookervault.looker.content_types import BY_NAME, REGISTRY
from lookervault.restore import canonical

_tricky = st.sampled_from(list("ab :#-?'\"\\\n\r\t\x85\u2028\u2029\ufeff\x00|>&*!%@`{}[],é🚀"))
text = st.text(alphabet=_tricky, max_size=12) | st.text(max_size=12)
"""Characters YAML gives a meaning to (breaks, indicators, quotes), and any text."""
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63)
    | st.floats(allow_nan=False, allow_infinity=False)
    | text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=500, deadline=None)
@given(json_values)
def test_yaml_reads_back_exactly_what_was_written(value: Any) -> None:
    written = yamltext.dump(value)
    assert yamltext.load(written) == value
    assert yaml.load(written, Loader=yaml.SafeLoader) == value  # without libyaml too


def test_text_in_any_script_stays_readable() -> None:
    text = yamltext.dump({"title": "🚀 Croissance 売上", "": "empty key"})

    assert "title: 🚀 Croissance 売上\n" in text
    assert yamltext.load(text) == {"title": "🚀 Croissance 売上", "": "empty key"}


def test_multi_line_text_is_a_block_and_long_lines_are_not_folded() -> None:
    text = yamltext.dump({"body": "first line\nsecond line\n", "note": "word " * 100})

    assert "body: |\n  first line\n  second line\n" in text
    assert len(text.splitlines()) == 4


def _restore_reads() -> set[str]:
    """Every field restore compares, writes or matches by."""
    fields: set[str] = set()
    for ct in REGISTRY:
        fields |= canonical.top_fields(ct.name) | set(ct.key_fields)
        fields |= {r.path.split("[]")[0] for r in ct.references}
        fields |= {ct.id_field, *ct.title_fields}
    for part_fields in (
        canonical.QUERY_FIELDS,
        canonical.FILTER_FIELDS,
        canonical.ELEMENT_FIELDS,
        canonical.LAYOUT_FIELDS,
        canonical.SECTION_FIELDS,
        canonical.BOARD_ITEM_FIELDS,
    ):
        fields |= set(part_fields)
    fields |= set(canonical.DESTINATION_FIELDS) | set(canonical.COMPONENT_FIELDS)
    fields |= set(BY_NAME["folders"].system_names)
    fields |= {"personal_folder_id", "deleted", "built_in", "is_system"}
    fields |= {"externally_managed", "email", "credentials_email", "result_maker", "query"}
    return fields


def test_the_fields_an_export_leaves_out_are_none_restore_reads() -> None:
    assert ACTIVITY <= VOLATILE
    assert not ACTIVITY & _restore_reads()
    writable = set()
    for name in dir(sdk_models):
        if name.startswith("Write"):
            writable |= {f.name for f in attr.fields(getattr(sdk_models, name))}
    assert not ACTIVITY & writable, "a client can write it, so it is content, not activity"


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Q3 Revenue (EMEA)", "q3-revenue-emea"),
        ("Ünïcödé Café", "unicode-cafe"),
        ("売上", "untitled"),
        (None, "untitled"),
        ("a" * 60, "a" * tree.SLUG_LENGTH),
        ("../../etc/passwd", "etc-passwd"),
    ],
)
def test_slugs_are_safe_file_names(title: str | None, expected: str) -> None:
    assert tree.slug(title) == expected


def test_ids_that_a_file_name_cannot_hold_are_encoded() -> None:
    assert tree.name("Business Pulse", "thelook::business_pulse") == (
        "business-pulse--thelook%3A%3Abusiness_pulse"
    )
    assert tree.name("x", "a/b") == "x--a%2Fb"


def test_folders_nest_and_a_loop_or_a_missing_parent_ends_at_the_top() -> None:
    folders = {
        "1": {"name": "Shared", "parent_id": None},
        "2": {"name": "Sales", "parent_id": "1"},
        "3": {"name": "Orphan", "parent_id": "99"},
        "4": {"name": "Loop A", "parent_id": "5"},
        "5": {"name": "Loop B", "parent_id": "4"},
    }

    dirs = tree.folder_dirs(folders)
    paths = folder_paths({i: (f["name"], f["parent_id"]) for i, f in folders.items()})

    assert dirs["2"] == PurePosixPath("folders/shared--1/sales--2")
    assert dirs["3"] == PurePosixPath("folders/orphan--3")
    assert {dirs["4"], dirs["5"]} == {
        PurePosixPath("folders/loop-b--5/loop-a--4"),
        PurePosixPath("folders/loop-b--5"),
    }
    assert paths["2"] == "Shared / Sales" and paths["3"] == "Orphan"
    assert paths["4"] == "Loop B / Loop A"
    dashboard = {"title": "Q3", "folder_id": "2"}
    assert tree.item_path("dashboards", "7", dashboard, dirs) == PurePosixPath(
        "folders/shared--1/sales--2/dashboards/q3--7.yaml"
    )
    unfiled = {"title": "Q3", "folder_id": "404"}
    assert tree.item_path("dashboards", "8", unfiled, dirs) == PurePosixPath(
        "dashboards/q3--8.yaml"
    )
