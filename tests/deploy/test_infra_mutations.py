"""Each security property asserted by infra/tests/*.tftest.hcl is shown to fail on a copy of
infra/ with that property deliberately broken: the assertions are not vacuous.

Runs real `terraform test` through the shared stub provider (`make infra-check` sets TFCHECK,
INFRA_PYTHON and TERRAFORM); plain `make test` leaves it out. Each broken copy runs only the
one `run` block that must catch it (the provider starts once per run block, so this keeps the
whole set to about a minute), and must fail with that block's own message.
"""

from __future__ import annotations

import os
import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.deploy.infra_config import INFRA, Mutation, mutated_copy

pytestmark = pytest.mark.infra

# (mutation, the test file and run block that must catch it, words of the failure it reports)
Case = tuple[Mutation, str, str, str]
CASES: list[Case] = [
    (
        Mutation(
            "public access prevention off",
            "storage.tf",
            '  public_access_prevention    = "enforced"\n  force_destroy               = false\n'
            "  labels                      = local.labels\n\n  soft_delete_policy",
            '  public_access_prevention    = "inherited"\n  force_destroy               = false\n'
            "  labels                      = local.labels\n\n  soft_delete_policy",
        ),
        "bucket",
        "bucket_is_private",
        "must enforce public access prevention",
    ),
    (
        Mutation(
            "uniform access off",
            "storage.tf",
            "uniform_bucket_level_access = true",
            "uniform_bucket_level_access = false",
        ),
        "bucket",
        "bucket_is_private",
        "must use uniform bucket-level access",
    ),
    (
        Mutation(
            "soft delete off",
            "storage.tf",
            "retention_duration_seconds = var.soft_delete_days * 86400",
            "retention_duration_seconds = 0",
        ),
        "bucket",
        "bucket_is_private",
        "must stay restorable",
    ),
    (
        Mutation(
            "a public reader accepted",
            "variables.tf",
            "for member in var.snapshot_readers : can(regex(",
            'for member in var.snapshot_readers : startswith(member, "all") || can(regex(',
        ),
        "bucket",
        "readers_are_never_public",
        "expected to report an error",
    ),
    (
        Mutation(
            "storage class steps on every object",
            "storage.tf",
            "        matches_prefix        = [var.snapshot_prefix]\n",
            "",
        ),
        "bucket",
        "storage_class_steps_apply_to_snapshots_only",
        "must apply to snapshots only",
    ),
    (
        Mutation(
            "backstop deletes at max_age_days",
            "storage.tf",
            "        age            = lifecycle_rule.value\n",
            "        age            = coalesce(var.retention.max_age_days, lifecycle_rule.value)\n",
        ),
        "bucket",
        "backstop_deletes_only_what_the_policy_no_longer_keeps",
        "must come after max_age_days",
    ),
    (
        Mutation(
            "backstop validation ignores the keep rules",
            "variables.tf",
            "        31 * (var.retention.keep_monthly + 1),\n",
            "",
        ),
        "bucket",
        "backstop_within_a_keep_rule_is_refused",
        "expected to report an error",
    ),
    (
        Mutation(
            "function's max age apart from the lifecycle's",
            "main.tf",
            "LOOKERVAULT_RETENTION_MAX_AGE_DAYS = tostring(var.retention.max_age_days)",
            "LOOKERVAULT_RETENTION_MAX_AGE_DAYS = tostring(var.retention.max_age_days - 30)",
        ),
        "bucket",
        "backstop_deletes_only_what_the_policy_no_longer_keeps",
        "must apply the max_age_days",
    ),
    (
        Mutation(
            "the job may delete",
            "job.tf",
            'permissions = ["storage.objects.create", "storage.objects.get"]',
            'permissions = ["storage.objects.create", "storage.objects.delete",'
            ' "storage.objects.get"]',
        ),
        "access",
        "job_creates_but_cannot_delete_or_overwrite",
        "must not delete, overwrite",
    ),
    (
        Mutation(
            "the function may not delete",
            "function.tf",
            'permissions = ["storage.objects.delete", "storage.objects.get",'
            ' "storage.objects.list"]',
            'permissions = ["storage.objects.get", "storage.objects.list"]',
        ),
        "access",
        "function_lists_reads_and_deletes_only",
        "exactly list, get and delete",
    ),
    (
        Mutation(
            "the scheduler sends an OIDC token",
            "scheduler.tf",
            "    oauth_token {\n"
            "      service_account_email = google_service_account.scheduler.email\n"
            '      scope                 = "https://www.googleapis.com/auth/cloud-platform"\n'
            "    }",
            "    oidc_token {\n"
            "      service_account_email = google_service_account.scheduler.email\n"
            "    }",
        ),
        "access",
        "scheduler_uses_an_oauth_token_and_may_run_the_job_only",
        "must send an OAuth token",
    ),
    (
        Mutation(
            "the trigger fires on deletions",
            "function.tf",
            '"google.cloud.storage.object.v1.finalized"',
            '"google.cloud.storage.object.v1.deleted"',
        ),
        "access",
        "trigger_delivers_finalize_events_of_the_bucket",
        "must fire on object finalize events",
    ),
    (
        Mutation(
            "the trigger watches the artifacts bucket",
            "function.tf",
            "      value     = google_storage_bucket.snapshots.name",
            "      value     = google_storage_bucket.artifacts.name",
        ),
        "access",
        "trigger_delivers_finalize_events_of_the_bucket",
        "must filter on the snapshot bucket",
    ),
    (
        Mutation(
            "events delivered as the function's own account",
            "function.tf",
            "service_account_email = google_service_account.trigger.email",
            "service_account_email = google_service_account.function.email",
        ),
        "access",
        "trigger_delivers_finalize_events_of_the_bucket",
        "delivered by the trigger's own account",
    ),
    (
        Mutation(
            "the function open to all traffic",
            "function.tf",
            '"ALLOW_INTERNAL_ONLY"',
            '"ALLOW_ALL"',
        ),
        "access",
        "trigger_delivers_finalize_events_of_the_bucket",
        "internal traffic only",
    ),
    (
        Mutation(
            "a credential as a plain value",
            "job.tf",
            "            name = env.value.name\n"
            "            value_source {\n"
            "              secret_key_ref {\n"
            "                secret  = env.value.secret\n"
            "                version = env.value.version\n"
            "              }\n"
            "            }",
            "            name  = env.value.name\n"
            '            value = "${env.value.secret}:${env.value.version}"',
        ),
        "job",
        "credentials_come_from_secret_manager_only",
        "must be a secret_key_ref at a pinned version",
    ),
    (
        Mutation(
            "secret versions may float",
            "variables.tf",
            '[can(regex("^[1-9][0-9]*$", instance.client_id_version))',
            '[can(regex("^([1-9][0-9]*|latest)$", instance.client_id_version))',
        ),
        "job",
        "unpinned_secret_versions_are_refused",
        "expected to report an error",
    ),
]


@pytest.fixture(scope="session")
def terraform_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The stub provider installed once as a filesystem mirror (tfstub.py install)."""
    missing = [
        name for name in ("TFCHECK", "INFRA_PYTHON", "TERRAFORM") if not os.environ.get(name)
    ]
    if missing:
        pytest.fail(f"{', '.join(missing)} unset: run these through `make infra-check`")
    versions = (INFRA / "versions.tf").read_text(encoding="utf-8")
    constraint = re.search(r'version\s*=\s*"([^"]+)"', versions)
    assert constraint, "no provider version constraint in versions.tf"
    installed = subprocess.run(
        [
            os.environ["INFRA_PYTHON"],
            str(Path(os.environ["TFCHECK"]) / "tfstub.py"),
            "install",
            "--dir",
            str(tmp_path_factory.mktemp("tfstub")),
            "--constraint",
            constraint.group(1),
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    config = installed.strip().removeprefix("export TF_CLI_CONFIG_FILE=")
    return {**os.environ, "TF_CLI_CONFIG_FILE": config, "CHECKPOINT_DISABLE": "1"}


def keep_only_run(infra: Path, test_file: str, run: str) -> None:
    """Leave `run` as the only run block of the only test file (files are `terraform fmt`ed)."""
    for path in (infra / "tests").glob("*.tftest.hcl"):
        if path.name != f"{test_file}.tftest.hcl":
            path.unlink()
    path = infra / "tests" / f"{test_file}.tftest.hcl"
    text = path.read_text(encoding="utf-8")
    header = text[: text.index('\nrun "')]
    block = re.search(rf'^run "{run}" {{\n.*?^}}\n', text, re.DOTALL | re.MULTILINE)
    assert block, f"no run {run!r} in {path.name}"
    path.write_text(f"{header}\n{block.group(0)}", encoding="utf-8")


def terraform(environment: dict[str, str], infra: Path, *args: str) -> str:
    done = subprocess.run(
        [os.environ["TERRAFORM"], *args, "-no-color"],
        cwd=infra,
        env={**environment, "TF_DATA_DIR": str(infra / ".terraform")},
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = " ".join((done.stdout + done.stderr).split())
    return f"exit {done.returncode}: {output}"


def try_mutation(environment: dict[str, str], case: Case, workdir: Path) -> str:
    """terraform test of one broken copy, reduced to the run block that must catch it."""
    mutation, test_file, run, _ = case
    infra = mutated_copy(mutation, workdir)
    keep_only_run(infra, test_file, run)
    initialised = terraform(environment, infra, "init", "-backend=false", "-input=false")
    return (
        initialised
        if not initialised.startswith("exit 0:")
        else terraform(environment, infra, "test")
    )


@pytest.fixture(scope="module")
def outcomes(
    terraform_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, str]:
    """Every case, two at a time (each is mostly a provider process starting up)."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {
            case[0].name: pool.submit(
                try_mutation, terraform_env, case, tmp_path_factory.mktemp("mutation")
            )
            for case in CASES
        }
    return {name: future.result() for name, future in futures.items()}


@pytest.mark.parametrize("case", CASES, ids=[case[0].name for case in CASES])
def test_terraform_test_catches(case: Case, outcomes: dict[str, str]) -> None:
    result = outcomes[case[0].name]
    assert result.startswith("exit 1:"), result
    assert case[3] in result, result
