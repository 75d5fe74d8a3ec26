"""The zip Terraform uploads is the bundle directory, byte for byte reproducible: Terraform names
the object by its hash, so rebuilding an unchanged bundle must not redeploy the function."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from tests.deploy.infra_config import ROOT


def build(target: Path) -> Path:
    subprocess.run(
        [sys.executable, str(ROOT / "functions" / "build_bundle.py"), str(target)],
        check=True,
        capture_output=True,
    )
    return target.with_name(f"{target.name}.zip")


def test_the_zip_holds_the_bundle_and_is_reproducible(tmp_path: Path) -> None:
    first = build(tmp_path / "one" / "function-bundle")
    second = build(tmp_path / "two" / "function-bundle")

    assert first.read_bytes() == second.read_bytes()
    bundle = tmp_path / "one" / "function-bundle"
    files = sorted(p.relative_to(bundle).as_posix() for p in bundle.rglob("*") if p.is_file())
    with zipfile.ZipFile(first) as archive:
        assert archive.namelist() == files
        assert archive.read("main.py") == (bundle / "main.py").read_bytes()
    assert "main.py" in files and "requirements.txt" in files
