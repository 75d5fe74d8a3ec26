"""Properties of infra/ that hold for every resource, present or added later, checked on the
configuration itself (no terraform needed), each also shown to catch a planted mistake."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.deploy.infra_config import (
    INFRA,
    Mutation,
    Resource,
    iter_blocks,
    load,
    mutated_copy,
    resources,
    variables,
)

BASIC_ROLES = {"roles/owner", "roles/editor", "roles/viewer"}
IMPERSONATION_ROLES = {"roles/iam.serviceAccountUser", "roles/iam.serviceAccountTokenCreator"}
PUBLIC_MEMBERS = {"allUsers", "allAuthenticatedUsers"}
# The only project-wide grants, each because the role has no narrower scope.
PROJECT_ROLES = {
    "roles/eventarc.eventReceiver",  # the trigger's account receives events
    "roles/pubsub.publisher",  # the Cloud Storage service agent publishes them
    "roles/logging.logWriter",  # the function's build account writes build logs
}
# Where the job's service account may appear as a member: its writer role, its secrets.
JOB_GRANTS = {
    "google_storage_bucket_iam_member.job_writes_snapshots",
    "google_secret_manager_secret_iam_member.job_reads_credentials",
}

Check = Callable[[list[Resource]], list[str]]


def no_basic_or_public_grants(config: list[Resource]) -> list[str]:
    problems = []
    for item in config:
        for block in iter_blocks(item.body):
            if block.get("role") in BASIC_ROLES:
                problems.append(f"{item.address}: basic role {block['role']}")
            members = [block.get("member"), *(block.get("members") or [])]
            problems += [
                f"{item.address}: public member {m}" for m in members if m in PUBLIC_MEMBERS
            ]
    return problems


def project_grants_are_the_few_that_must_be(config: list[Resource]) -> list[str]:
    problems = []
    for item in config:
        if item.type in {"google_project_iam_binding", "google_project_iam_policy"}:
            problems.append(f"{item.address}: authoritative project IAM would drop others' grants")
        if item.type == "google_project_iam_member":
            role = item.body["role"]
            if role in IMPERSONATION_ROLES:
                problems.append(f"{item.address}: project-level {role}")
            elif role not in PROJECT_ROLES:
                problems.append(f"{item.address}: project-level {role} (grant it on a resource)")
    return problems


def every_runtime_has_its_own_service_account(config: list[Resource]) -> list[str]:
    """No default compute account: each runtime names one of ours."""
    wanted = {
        "google_cloud_run_v2_job": [("template", "template", "service_account")],
        "google_cloudfunctions2_function": [
            ("service_config", "service_account_email"),
            ("build_config", "service_account"),
            ("event_trigger", "service_account_email"),
        ],
        "google_cloud_scheduler_job": [("http_target", "oauth_token", "service_account_email")],
    }
    problems = []
    for item in config:
        for path in wanted.get(item.type, []):
            value = item.block(*path[:-1]).get(path[-1])
            if not str(value).startswith("${google_service_account."):
                problems.append(f"{item.address}: {'.'.join(path)} is not one of our accounts")
    return problems


def job_account_holds_only_its_grants(config: list[Resource]) -> list[str]:
    """A compromised job can do what these grants allow and nothing more."""
    return [
        f"{item.address}: grants the job's account more"
        for item in config
        if item.address not in JOB_GRANTS
        and any(
            "google_service_account.job." in str(block.get("member", ""))
            for block in iter_blocks(item.body)
        )
    ]


def every_bucket_is_private(config: list[Resource]) -> list[str]:
    return [
        f"{item.address}: not private and uniform"
        for item in config
        if item.type == "google_storage_bucket"
        and (
            item.body.get("public_access_prevention") != "enforced"
            or item.body.get("uniform_bucket_level_access") is not True
        )
    ]


CASES: list[tuple[Check, Mutation]] = [
    (
        no_basic_or_public_grants,
        Mutation(
            "a basic role for readers",
            "access.tf",
            'role   = "roles/storage.objectViewer"',
            'role   = "roles/viewer"',
        ),
    ),
    (
        no_basic_or_public_grants,
        Mutation(
            "a public reader",
            "public.tf",
            None,
            'resource "google_storage_bucket_iam_member" "everyone" {\n'
            "  bucket = google_storage_bucket.snapshots.name\n"
            '  role   = "roles/storage.objectViewer"\n'
            '  member = "allUsers"\n}\n',
        ),
    ),
    (
        project_grants_are_the_few_that_must_be,
        Mutation(
            "project-level serviceAccountUser",
            "extra.tf",
            None,
            'resource "google_project_iam_member" "act_as" {\n'
            "  project = var.project_id\n"
            '  role    = "roles/iam.serviceAccountUser"\n'
            "  member  = google_service_account.scheduler.member\n}\n",
        ),
    ),
    (
        project_grants_are_the_few_that_must_be,
        Mutation(
            "a project-wide storage role",
            "function.tf",
            'role    = "roles/logging.logWriter"',
            'role    = "roles/storage.objectAdmin"',
        ),
    ),
    (
        every_runtime_has_its_own_service_account,
        Mutation(
            "the job on the default compute account",
            "job.tf",
            "      service_account       = google_service_account.job.email\n",
            "",
        ),
    ),
    (
        every_runtime_has_its_own_service_account,
        Mutation(
            "the function built by the default account",
            "function.tf",
            "    service_account   = google_service_account.function_build.id\n",
            "",
        ),
    ),
    (
        job_account_holds_only_its_grants,
        Mutation(
            "the job's account given the retention role",
            "function.tf",
            "member = google_service_account.function.member",
            "member = google_service_account.job.member",
        ),
    ),
    (
        every_bucket_is_private,
        Mutation(
            "the artifacts bucket without public access prevention",
            "storage.tf",
            'name                        = "${var.project_id}-${var.name}-artifacts"\n'
            "  project                     = var.project_id\n"
            "  location                    = upper(var.region)\n"
            "  uniform_bucket_level_access = true\n"
            '  public_access_prevention    = "enforced"',
            'name                        = "${var.project_id}-${var.name}-artifacts"\n'
            "  project                     = var.project_id\n"
            "  location                    = upper(var.region)\n"
            "  uniform_bucket_level_access = true\n"
            '  public_access_prevention    = "inherited"',
        ),
    ),
]
CHECKS = list(dict.fromkeys(check for check, _ in CASES))


@pytest.mark.parametrize("check", CHECKS, ids=lambda check: check.__name__)
def test_infra_keeps_the_property(check: Check) -> None:
    assert check(resources(INFRA)) == []


@pytest.mark.parametrize(("check", "mutation"), CASES, ids=[mutation.name for _, mutation in CASES])
def test_the_check_catches_a_planted_mistake(
    check: Check, mutation: Mutation, tmp_path: Path
) -> None:
    assert check(resources(mutated_copy(mutation, tmp_path)))


# Every checkov finding infra/ skips, and why (the same reason sits next to the skip).
CHECKOV_SKIPS = {
    "CKV_GCP_62",  # legacy bucket usage logs: Data Access audit logs record reads and writes
    "CKV_GCP_78",  # versioning: soft delete is the default recovery; versioning is opt-in
    "CKV_GCP_84",  # CMEK on image repositories: they hold code and public packages only
}


def test_checkov_skips_are_the_reviewed_ones_each_with_a_reason() -> None:
    skipped = set()
    for path in sorted(INFRA.rglob("*.tf")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if "checkov:skip=" in line:
                check, _, reason = line.split("checkov:skip=", 1)[1].partition(":")
                assert len(reason.split()) >= 8, f"{path.name}: {check} needs a reason: {line}"
                skipped.add(check)
    assert skipped == CHECKOV_SKIPS


def test_example_tfvars_names_real_variables_and_every_required_one() -> None:
    declared = variables()
    example = load(INFRA / "example.tfvars")
    required = {name for name, body in declared.items() if "default" not in body}

    assert set(example) <= set(declared)
    # Cloud Build passes the other two on every release.
    assert required - set(example) == {"job_image", "function_bundle"}
