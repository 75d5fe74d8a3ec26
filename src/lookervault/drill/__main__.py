"""`python -m lookervault.drill`: the scheduled restore drill (a second Cloud Run job).

Drills the newest snapshot of every configured instance into a local stand-in and writes one
structured log entry per instance (`lookervault.logs`); exits 1 if any drill failed, 2 on bad
configuration.
"""

from __future__ import annotations

import logging
import sys

from lookervault import logs
from lookervault.config import load_settings
from lookervault.drill.run import drill
from lookervault.errors import EXIT_FAILURE, LookerVaultError
from lookervault.gcs import make_client

log = logging.getLogger("lookervault.drill")


def main() -> int:
    logs.setup()
    try:
        settings = load_settings()
        settings.require_bucket()
        client = make_client(settings.project)
    except LookerVaultError as exc:
        log.error("drill cannot start: %s", exc.message, extra=logs.fields(hint=exc.hint))
        return exc.exit_code
    names = [instance.name for instance in settings.instances] or [settings.instance]
    failed = 0
    for name in names:
        with logs.labels(instance=name, drill="true"):
            try:
                result = drill(client, settings.model_copy(update={"instance": name}), "latest")
            except LookerVaultError as exc:
                failed += 1
                log.error(
                    "drill of %s failed: %s", name, exc.message, extra=logs.fields(hint=exc.hint)
                )
                continue
            failed += not result.passed
            log.log(
                logging.INFO if result.passed else logging.ERROR,
                "drill of %s %s: %s",
                name,
                "passed" if result.passed else "failed",
                result.snapshot,
                extra=logs.fields(drill=result.record()),
            )
    return EXIT_FAILURE if failed else 0


if __name__ == "__main__":
    sys.exit(main())
