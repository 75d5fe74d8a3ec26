"""`python -m lookervault.drill`: the scheduled restore drill (a second Cloud Run job).

Drills the newest snapshot of every configured instance into a local stand-in and writes one
structured log line per instance; exits 1 if any drill failed, 2 on bad configuration.
"""

from __future__ import annotations

import sys

from lookervault.audit import emit_structured, structured_entry
from lookervault.config import load_settings
from lookervault.drill.run import drill
from lookervault.errors import EXIT_FAILURE, LookerVaultError
from lookervault.gcs import make_client


def main() -> int:
    try:
        settings = load_settings()
        settings.require_bucket()
        client = make_client(settings.project)
    except LookerVaultError as exc:
        emit_structured(structured_entry(f"drill cannot start: {exc.message}", "ERROR"))
        return exc.exit_code
    names = [instance.name for instance in settings.instances] or [settings.instance]
    failed = 0
    for name in names:
        labels = {"instance": name, "drill": "true"}
        try:
            result = drill(client, settings.model_copy(update={"instance": name}), "latest")
        except LookerVaultError as exc:
            failed += 1
            message = f"drill of {name} failed: {exc.message}"
            emit_structured(structured_entry(message, "ERROR", labels, hint=exc.hint))
            continue
        failed += not result.passed
        verdict = "passed" if result.passed else "failed"
        emit_structured(
            structured_entry(
                f"drill of {name} {verdict}: {result.snapshot}",
                "INFO" if result.passed else "ERROR",
                labels,
                drill=result.record(),
            )
        )
    return EXIT_FAILURE if failed else 0


if __name__ == "__main__":
    sys.exit(main())
