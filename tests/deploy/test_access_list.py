"""The list a "permission denied" points at (infra/README.md, "What each part needs") says
what infra/ grants, so following the hint never means a broader role than the part needs."""

from __future__ import annotations

import re

import pytest

from lookervault.gcs import PERMISSION_DENIED_HINT
from tests.deploy.infra_config import INFRA, Resource, resources

README = (INFRA / "README.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def infra() -> dict[str, Resource]:
    """Every resource of infra/ by address, read once."""
    return {found.address: found for found in resources()}


def section(title: str) -> str:
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## )", README, re.M | re.S)
    assert match, f"infra/README.md has no section {title!r}"
    return match.group(1)


def row(text: str, who: str) -> str:
    (line,) = [line for line in text.splitlines() if line.startswith(f"| {who} |")]
    return line


def test_the_hint_names_a_section_that_exists() -> None:
    (title,) = re.findall(r'"([^"]+)"', PERMISSION_DENIED_HINT)
    assert "infra/README.md" in PERMISSION_DENIED_HINT
    assert section(title)


def test_the_list_gives_each_custom_role_exactly_its_permissions(
    infra: dict[str, Resource],
) -> None:
    needs = section("What each part needs")
    for who, role in (
        ("the backup job's account", "job_writer"),
        ("the retention function's account", "retention"),
    ):
        listed = set(re.findall(r"`(storage\.objects\.\w+)`", row(needs, who)))
        granted = infra[f"google_project_iam_custom_role.{role}"].body["permissions"]
        assert listed == set(granted), who
    assert "storage.objects.delete" not in row(needs, "the backup job's account")


def test_the_list_gives_people_the_roles_access_tf_grants(infra: dict[str, Resource]) -> None:
    needs = section("What each part needs")
    for who, address in (
        ("`snapshot_readers`", "google_storage_bucket_iam_member.readers"),
        ("`snapshot_admins`", "google_storage_bucket_iam_member.admins"),
        ("`backup_operators`", "google_cloud_run_v2_job_iam_member.operators_run"),
        ("`backup_operators`", "google_cloud_run_v2_job_iam_member.operators_view"),
        ("the restore drill's account", "google_storage_bucket_iam_member.drill_reads_snapshots"),
    ):
        assert f"`{infra[address].body['role']}`" in row(needs, who), who
