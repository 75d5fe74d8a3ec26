"""Build the directory Cloud Functions deploys: `main.py`, `lookervault/`, `requirements.txt`,
and the same as a zip next to it (`function-bundle.zip`), which Terraform uploads.

    python functions/build_bundle.py [OUTPUT_DIR]      (default: function-bundle/)

Nothing is written by hand: the handler and the package are copied from the repository, and
`requirements.txt` is `locks/function.txt` (`make lock`): what the handler imports, every
transitive dependency pinned with its hashes, so Cloud Functions' pip installs exactly the
files that were locked and refuses any other (a hash in a requirements file makes pip check
them all).
"""

from __future__ import annotations

import shutil
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HANDLER = ROOT / "functions" / "main.py"
PACKAGE = ROOT / "src" / "lookervault"
LOCK = ROOT / "locks" / "function.txt"
DEFAULT_OUTPUT = ROOT / "function-bundle"
BUNDLE_FILES = ("main.py", "requirements.txt", "lookervault")
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


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
    shutil.copy2(LOCK, output / "requirements.txt")
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
