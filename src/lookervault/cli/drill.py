"""`lookervault drill`: restore a snapshot into a scratch Looker and check it came back."""

from __future__ import annotations

import click

from lookervault.cli.common import console, instance_option, json_option, local_recorder, print_json
from lookervault.config import load_settings
from lookervault.errors import RuntimeFailure


@click.command(name="drill")
@click.option(
    "--from-snapshot",
    "ref",
    default="latest",
    show_default=True,
    metavar="REF",
    help="The snapshot to drill: index, latest, timestamp, name or gs:// URL.",
)
@click.option(
    "--target-ini",
    type=click.Path(dir_okay=False, exists=True),
    help="looker.ini of a scratch Looker instance to restore into (default: a local stand-in).",
)
@click.option("--target-section", help="Section of --target-ini (default: the first).")
@click.option("--workers", type=click.IntRange(1, 64), default=8, show_default=True)
@instance_option
@json_option
def drill(
    ref: str,
    target_ini: str | None,
    target_section: str | None,
    workers: int,
    instance: str | None,
    as_json: bool,
) -> None:
    """Restore a snapshot into a scratch Looker, read it back, and compare (exit 1 on failure)."""
    from lookervault.drill.run import drill as run_drill
    from lookervault.gcs import make_client
    from lookervault.looker.client import load_settings as looker_settings

    settings = load_settings(instance=instance)
    # The file named wins over LOOKERSDK_*, which point at the instance backed up.
    target = looker_settings(target_ini, target_section, environment=False) if target_ini else None
    result = run_drill(
        make_client(settings.project),
        settings,
        ref,
        target,
        local_recorder(settings) if target else None,
        workers,
    )
    if as_json:
        print_json(result.record())
    else:
        click.echo(f"Drill of {result.snapshot} into {result.target}:")
        click.echo(f"  {'type':<18}{'backed up':>10}{'restored':>10}")
        for type_name, count in result.counts.items():
            click.echo(f"  {type_name:<18}{count:>10}{result.restored.get(type_name, 0):>10}")
        for note in result.notes:
            click.echo(f"  Note: {note}")
        for line in [*result.failures, *map(str, result.differences)]:
            console.print(f"  [red]{line}[/red]")
        click.echo("PASS: every item came back as backed up." if result.passed else "FAIL")
    if not result.passed:
        problems = len(result.failures) + len(result.differences)
        raise RuntimeFailure(
            f"The drill failed: {problems} item(s) did not come back as backed up.",
            "Read the lines above; `lookervault restore --dry-run -v` into the same target "
            "shows what a restore would do.",
        )
