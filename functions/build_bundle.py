"""Build the directory Cloud Functions deploys: `main.py`, `lookervault/`, `requirements.txt`,
and the same as a zip next to it (`function-bundle.zip`), which Terraform uploads.

    python functions/build_bundle.py [OUTPUT_DIR]      (default: function-bundle/)

Nothing is written by hand: the handler and the package are copied from the repository, and
`requirements.txt` lists the project's declared dependencies that the handler actually imports
(found by importing it in a child process), pinned to the versions installed here, so the
function runs what the tests ran without carrying the CLI's dependencies.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HANDLER = ROOT / "functions" / "main.py"
PACKAGE = ROOT / "src" / "lookervault"
DEFAULT_OUTPUT = ROOT / "function-bundle"
BUNDLE_FILES = ("main.py", "requirements.txt", "lookervault")
ZIP_DATE = (1980, 1, 1, 0, 0, 0)

# Run in a child: import the handler, then name the given distributions owning a loaded module.
_PROBE = """
import importlib.metadata, json, pathlib, sys
sys.path.insert(0, sys.argv[1])
import main
loaded = {pathlib.Path(m.__file__).resolve() for m in list(sys.modules.values())
          if getattr(m, "__file__", None)}
used = {}
for name in json.loads(sys.argv[2]):
    dist = importlib.metadata.distribution(name)
    files = {pathlib.Path(str(dist.locate_file(f))).resolve() for f in dist.files or []}
    if files & loaded:
        used[name] = dist.version
print(json.dumps(used))
"""


def declared_dependencies() -> list[str]:
    """Distribution names the project declares: core plus the `function` extra."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = [*project["dependencies"], *project["optional-dependencies"]["function"]]
    names = (re.match(r"[A-Za-z0-9._-]+", requirement) for requirement in requirements)
    return [match.group(0) for match in names if match]


def imported_versions(names: list[str]) -> dict[str, str]:
    """Which of `names` the handler imports, with their installed versions."""
    environment = {**os.environ, "PYTHONPATH": str(PACKAGE.parent)}
    output = subprocess.run(
        [sys.executable, "-c", _PROBE, str(HANDLER.parent), json.dumps(names)],
        check=True,
        capture_output=True,
        text=True,
        env=environment,
    ).stdout
    versions: dict[str, str] = json.loads(output)
    return versions


def prepare(output: Path) -> None:
    """An empty output directory; only a previous bundle is ever replaced."""
    if output.exists() and any(output.iterdir()):
        if not all((output / name).exists() for name in BUNDLE_FILES):
            sys.exit(f"{output} exists and is not a function bundle; choose another directory.")
        shutil.rmtree(output)
    output.mkdir(parents=True, exist_ok=True)


def build(output: Path) -> Path:
    prepare(output)
    shutil.copy2(HANDLER, output / "main.py")
    shutil.copytree(
        PACKAGE, output / "lookervault", ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
    )
    versions = imported_versions(declared_dependencies())
    lines = [f"{name}=={version}" for name, version in sorted(versions.items())]
    (output / "requirements.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return output


def zip_bundle(bundle: Path) -> Path:
    """`<bundle>.zip`, byte for byte the same for the same files: Terraform names the uploaded
    object by its hash, so an unchanged bundle does not redeploy the function."""
    archive = bundle.with_name(f"{bundle.name}.zip")
    files = sorted(path for path in bundle.rglob("*") if path.is_file())
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        for path in files:
            entry = zipfile.ZipInfo(path.relative_to(bundle).as_posix(), ZIP_DATE)
            entry.external_attr = 0o644 << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            out.writestr(entry, path.read_bytes())
    return archive


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUTPUT
    bundle = build(target.resolve())
    print(bundle)
    print(zip_bundle(bundle))
