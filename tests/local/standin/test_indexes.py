"""The store's indexed tables: every way of writing keeps the indexes true, and a write that
goes around the table is caught."""

from __future__ import annotations

from lookervault.local.standin.store.indexes import Table, by_field, by_part


def _table() -> Table:
    objects = {
        "1": {"id": "1", "folder_id": "7", "parts": [{"id": "a"}, {"id": "b"}]},
        "2": {"id": "2", "folder_id": "7", "parts": []},
    }
    return Table(objects, {"folder_id": by_field("folder_id"), "parts": by_part("parts")})


def test_every_write_keeps_the_indexes_true() -> None:
    table = _table()
    assert table.index("folder_id").ids("7") == ["1", "2"]
    assert table.index("parts").first("b") == "1" and "c" not in table.index("parts")
    table["2"] = {**table["2"], "parts": [{"id": "c"}]}
    table["1"] = {**table["1"], "folder_id": "8"}
    assert table.index("parts").first("c") == "2"
    assert table.index("folder_id").ids("7") == ["2"] and table.index("folder_id").ids("8") == ["1"]
    table.update({"3": {"id": "3", "folder_id": "8", "parts": [{"id": "d"}]}})
    del table["1"]
    assert table.pop("3")["id"] == "3"
    assert table.index("folder_id").entries() == {"7": ["2"]}
    assert table.index("parts").entries() == {"c": ["2"]}
    assert table.drift() == []


def test_a_write_around_the_table_shows_as_drift() -> None:
    table = _table()
    table._data["2"] = {**table["2"], "folder_id": "9"}  # what no store code may do
    assert table.drift() == ["folder_id"]
