"""cloudbuild.yaml agrees with the repository: the make targets and Terraform variables it uses
exist, the image it deploys is the one it built and pushed, and nothing is deployed before the
tests passed and the artifacts exist. (Its structure is checked by tfcheck's cloudbuild_check in
`make infra-check`.)"""

from __future__ import annotations

import re
from typing import Any

import yaml

from tests.deploy.infra_config import INFRA, ROOT

CONFIG: dict[str, Any] = yaml.safe_load((ROOT / "cloudbuild.yaml").read_text(encoding="utf-8"))
STEPS = {step["id"]: step for step in CONFIG["steps"]}


def ancestors(step_id: str) -> set[str]:
    """Every step this one waits for, directly or not (no waitFor: all earlier steps)."""
    order = list(STEPS)
    waits = STEPS[step_id].get("waitFor") or order[: order.index(step_id)]
    found = {w for w in waits if w != "-"}
    for parent in list(found):
        found |= ancestors(parent)
    return found


def test_make_targets_it_runs_exist() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets = {m.group(1) for m in re.finditer(r"^([A-Za-z][\w-]*):", makefile, re.MULTILINE)}
    used = {
        target
        for step in CONFIG["steps"]
        for arg in step.get("args", [])
        for target in re.findall(r"\bmake ([\w-]+)", arg)
    }
    assert used == {"test", "function-bundle"}
    assert used <= targets


def test_terraform_gets_the_image_it_built_and_the_bundle() -> None:
    variables = set(re.findall(r'^variable "(\w+)"', _infra_text(), re.MULTILINE))
    passed = dict(
        arg.removeprefix("-var=").split("=", 1)
        for arg in STEPS["terraform-plan"]["args"]
        if arg.startswith("-var=")
    )
    assert set(passed) == {"job_image", "function_bundle"} and set(passed) <= variables
    built = next(a for a in STEPS["build-image"]["args"] if a.startswith("--tag="))
    assert built.removeprefix("--tag=") == passed["job_image"]
    assert passed["job_image"] in STEPS["push-image"]["args"]
    assert passed["job_image"].endswith(":$COMMIT_SHA")


def test_nothing_deploys_before_tests_image_and_bundle() -> None:
    assert {"test", "push-image", "function-bundle", "terraform-plan"} <= ancestors("deploy")
    assert "test" in ancestors("push-image")
    assert STEPS["deploy"]["args"][:1] == ["apply"]
    assert "release.tfplan" in STEPS["deploy"]["args"]


def _infra_text() -> str:
    return "\n".join(path.read_text(encoding="utf-8") for path in sorted(INFRA.glob("*.tf")))
