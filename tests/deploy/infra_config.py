"""infra/ read as data (python-hcl2), for checks that look at every resource at once, and the
planted mistakes that show each check (static here, `terraform test` in test_infra_mutations)
catches what it is meant to catch."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import hcl2
from hcl2.utils import SerializationOptions

ROOT = Path(__file__).resolve().parents[2]
INFRA = ROOT / "infra"
PLAIN = SerializationOptions(with_comments=False, explicit_blocks=False, strip_string_quotes=True)


@dataclass(frozen=True)
class Resource:
    type: str
    name: str
    body: dict[str, Any]

    @property
    def address(self) -> str:
        return f"{self.type}.{self.name}"

    def block(self, *path: str) -> dict[str, Any]:
        """The first (only) nested block along `path`, or {} when it is absent."""
        node = self.body
        for key in path:
            blocks = node.get(key) or [{}]
            node = blocks[0]
        return node


def load(path: Path) -> dict[str, Any]:
    """One .tf or .tfvars file as plain Python values (strings without their quotes)."""
    with path.open(encoding="utf-8") as handle:
        document: dict[str, Any] = hcl2.load(handle, serialization_options=PLAIN)
    return document


def variables(directory: Path = INFRA) -> dict[str, dict[str, Any]]:
    declared: dict[str, dict[str, Any]] = {}
    for path in sorted(directory.glob("*.tf")):
        for entry in load(path).get("variable", []):
            declared.update(entry)
    return declared


def resources(directory: Path = INFRA) -> list[Resource]:
    found = []
    for path in sorted(directory.glob("*.tf")):
        for entry in load(path).get("resource", []):
            for kind, named in entry.items():
                for name, body in named.items():
                    found.append(Resource(kind, name, body))
    return found


def resource(address: str, directory: Path = INFRA) -> Resource:
    kind, name = address.split(".")
    (match,) = [r for r in resources(directory) if r.type == kind and r.name == name]
    return match


def role_permissions(role: str, directory: Path = INFRA) -> set[str]:
    """Permissions of a custom role (`job_writer`, `retention`) as Terraform grants them."""
    return set(resource(f"google_project_iam_custom_role.{role}", directory).body["permissions"])


@dataclass(frozen=True)
class Mutation:
    """A deliberate mistake: `old` (which must occur) replaced once by `new` in `file`, or,
    with `old` None, `new` written as an extra file."""

    name: str
    file: str
    old: str | None
    new: str

    def apply(self, target: Path) -> None:
        path = target / self.file
        if self.old is None:
            path.write_text(self.new, encoding="utf-8")
            return
        text = path.read_text(encoding="utf-8")
        assert self.old in text, f"mutation {self.name!r} no longer matches {self.file}"
        path.write_text(text.replace(self.old, self.new, 1), encoding="utf-8")


def mutated_copy(mutation: Mutation, target: Path) -> Path:
    copy = target / "infra"
    shutil.copytree(INFRA, copy, ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*"))
    mutation.apply(copy)
    return copy


def iter_blocks(node: Any) -> Iterator[dict[str, Any]]:
    """Every mapping inside a resource body, the body included."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from iter_blocks(value)
    elif isinstance(node, list):
        for value in node:
            yield from iter_blocks(value)
