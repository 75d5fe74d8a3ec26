"""Dashboards' LookML: in every backup, and a route for making dashboards again that ends
exactly where the part-by-part route ends, in far fewer calls."""

from __future__ import annotations

from pathlib import Path

from lookervault.local.standin import Profile, SeedSize, StandIn
from lookervault.looker.compare import compare
from lookervault.restore.plan import quieted
from tests.restore.conftest import (
    EVERY_PROFILE,
    Restore,
    differences,
    extract_items,
    promised,
    read_items,
    restored_users,
    writes,
)
from tests.restore.test_migrate import only_backed_up
from tests.support.looker_fixtures import StandInFactory, sdk_for


def test_a_backup_holds_each_user_defined_dashboards_lookml_as_looker_gives_it(
    looker_a: StandIn, backup: Path
) -> None:
    dashboards = read_items(backup)["dashboards"]
    sdk = sdk_for(looker_a)
    assert dashboards
    for dashboard_id, dashboard in dashboards.items():
        assert dashboard["lookml"] == sdk.dashboard_lookml(dashboard_id).lookml


@EVERY_PROFILE
def test_the_lookml_route_ends_where_the_part_by_part_route_ends(
    backup: Path,
    looker_b: StandIn,
    standin_factory: StandInFactory,
    restore: Restore,
    tmp_path: Path,
    profile: Profile,
) -> None:
    by_parts = standin_factory(seed=looker_b.seed, seed_value=1, profile=profile)
    before = quieted(read_items(backup))

    imported = restore(looker_b, "--db", str(backup), "--yes", "--json")
    parted = restore(by_parts, "--db", str(backup), "--yes", "--json", "--no-lookml-import")

    assert imported.code == 0, imported.err
    assert parted.code == 0, parted.err
    with_lookml = extract_items(looker_b, tmp_path / "imported.db")
    part_by_part = extract_items(by_parts, tmp_path / "parted.db")
    imported_users = restored_users(imported.json(), before, with_lookml)
    parted_users = restored_users(parted.json(), before, part_by_part)
    assert only_backed_up(differences(before, with_lookml, profile, users=imported_users)) == []
    assert only_backed_up(differences(before, part_by_part, profile, users=parted_users)) == []
    assert (
        compare(
            promised(part_by_part, profile, parted_users),
            promised(with_lookml, profile, imported_users),
        )
        == []
    )
    imports = [w for w in writes(looker_b) if w == "POST /dashboards/lookml"]
    assert len(imports) == len(before["dashboards"])
    assert "POST /dashboards/lookml" not in writes(by_parts)
    assert imported.json()["write_requests"] < parted.json()["write_requests"]


def test_after_the_lookml_route_a_rerun_writes_nothing(
    backup: Path, looker_b: StandIn, restore: Restore
) -> None:
    assert restore(looker_b, "dashboards", "alerts", "--db", str(backup), "--yes").code == 0
    looker_b.clear_exchanges()

    again = restore(looker_b, "dashboards", "alerts", "--db", str(backup), "--yes")

    assert again.code == 0, again.err
    assert writes(looker_b) == []


def test_a_looker_release_without_the_lookml_route_gets_its_dashboards_part_by_part(
    backup: Path, standin_factory: StandInFactory, restore: Restore, tmp_path: Path
) -> None:
    """The route came with release 22.8 (the spec's history): an older Looker is not asked."""
    older = standin_factory(seed=SeedSize.empty(), seed_value=1, release="22.6.12")

    planned = restore(older, "dashboards", "--db", str(backup), "--dry-run", "--json")
    done = restore(older, "dashboards", "--db", str(backup), "--yes", "--json")

    assert any("22.6.12 has no route" in note for note in planned.json()["notes"])
    assert done.code == 0, done.err
    assert "POST /dashboards/lookml" not in writes(older)
    restored = extract_items(older, tmp_path / "b.db")
    before = quieted(read_items(backup))
    assert only_backed_up(compare(before, restored, ["dashboards"])) == []


def test_a_dashboard_whose_import_looker_refuses_alone_goes_part_by_part(
    backup: Path, looker_b: StandIn, restore: Restore, tmp_path: Path, profile: Profile
) -> None:
    """Looker answers 404 for a model or folder the caller cannot reach too: one refused
    import does not turn the route off for the rest."""
    looker_b.faults.fail_requests("POST", "/dashboards/lookml", times=1, status=404)

    done = restore(looker_b, "dashboards", "--db", str(backup), "--yes", "--json")

    assert done.code == 0, done.err
    imported = [e for e in looker_b.exchanges if e.path.endswith("/dashboards/lookml")]
    made = done.json()["counts"]["dashboards"]["created"]
    assert [e.status for e in imported].count(404) == 1
    assert len([e for e in imported if e.status == 200]) == made - 1 > 0
    restored = extract_items(looker_b, tmp_path / "b.db")
    before = quieted(read_items(backup))
    users = restored_users(done.json(), before, restored)
    assert only_backed_up(differences(before, restored, profile, ["dashboards"], users)) == []


@EVERY_PROFILE
def test_a_dashboard_lost_again_comes_back_in_as_few_calls_as_the_first_time(
    looker_a: StandIn, backup: Path, restore: Restore, profile: Profile
) -> None:
    """The id map still names the tiles of the copy lost since: the new copy's tiles are
    paired by what they hold, not deleted and made again. A look tile, which LookML brings as
    a query tile, is PATCHed back to its look; where Looker refuses that (strict), it alone
    is made anew as a look tile."""
    sdk = sdk_for(looker_a)
    dashboards = read_items(backup)["dashboards"]
    source_id = next(
        i
        for i, d in dashboards.items()
        if not d["deleted"] and any(e.get("look_id") for e in d["dashboard_elements"])
    )
    lost, calls = source_id, []
    for _ in range(2):
        sdk.delete_dashboard(lost)
        looker_a.clear_exchanges()
        args = ["--db", str(backup), "--id", f"dashboards:{source_id}", "--yes", "--json"]
        done = restore(looker_a, *args)
        assert done.code == 0, done.err
        calls.append(writes(looker_a))
        lost = next(i["target_id"] for i in done.json()["items"] if i["type"] == "dashboards")

    looks = sum(1 for e in dashboards[source_id]["dashboard_elements"] if e.get("look_id"))
    made_anew = looks if profile == "strict" else 0
    for made in calls:
        assert "POST /dashboards/lookml" in made
        assert made.count("POST /dashboard_elements") == made_anew
        assert len([c for c in made if c.startswith("DELETE")]) == made_anew
        assert len([c for c in made if c.startswith("PATCH /dashboard_elements/")]) == looks
    assert len(calls[1]) == len(calls[0])
