"""`lookervault snapshot ...`: upload, list, download, delete, protect, unprotect (diff, browse
and cleanup have modules of their own)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import google.cloud.storage as storage
from rich.table import Table

from lookervault.audit import local_actor
from lookervault.cli.common import (
    confirm_or_refuse,
    console,
    human_size,
    instance_option,
    json_option,
    local_recorder,
    print_json,
    transfer_progress,
)
from lookervault.cli.lazy import LazyGroup
from lookervault.config import Settings, load_settings
from lookervault.gcs import make_client
from lookervault.snapshot import refs, service
from lookervault.snapshot.cache import Listing
from lookervault.snapshot.catalog import INCOMPLETE_KEY, PROTECTED_KEY, Snapshot, to_record
from lookervault.snapshot.manage import refuse_if_protected
from lookervault.snapshot.upload import META


@click.group(
    cls=LazyGroup,
    lazy={
        "browse": "lookervault.cli.browse:browse",
        "cleanup": "lookervault.cli.cleanup:cleanup",
        "diff": "lookervault.cli.diff:diff",
    },
)
def snapshot() -> None:
    """Upload, list, compare, browse, download, delete and protect snapshots in Cloud Storage."""


def _session(**flags: Any) -> tuple[Settings, storage.Client]:
    settings = load_settings(**flags)
    settings.require_bucket()
    return settings, make_client(settings.project)


@snapshot.command()
@click.option(
    "--source",
    type=click.Path(path_type=Path),
    default=Path("looker.db"),
    show_default=True,
    help="The SQLite database to back up.",
)
@instance_option
@click.option("--compression-level", type=click.IntRange(1, 9), help="gzip level 1-9 (default 6).")
@click.option(
    "--dry-run", is_flag=True, help="Check the database and show the name; upload nothing."
)
@click.option(
    "--allow-incomplete",
    is_flag=True,
    help="Upload a database that is not a completed extraction, marked incomplete "
    "(retention does not count it toward min_count).",
)
@json_option
def upload(
    source: Path,
    instance: str | None,
    compression_level: int | None,
    dry_run: bool,
    allow_incomplete: bool,
    as_json: bool,
) -> None:
    """Upload the database of a completed extraction as a new, verified snapshot."""
    settings, client = _session(instance=instance, compression_level=compression_level)
    estimate = source.stat().st_size if source.is_file() else 0
    with transfer_progress("Uploading", estimate, not as_json) as advance:
        result = service.upload(
            client,
            settings,
            source,
            local_recorder(settings),
            local_actor(),
            progress=advance,
            dry_run=dry_run,
            allow_incomplete=allow_incomplete,
        )
    incomplete = result.metadata.get(INCOMPLETE_KEY)
    data = {
        "name": result.name,
        "gcs_path": result.gcs_path,
        "generation": result.generation,
        "raw_size_bytes": result.raw.size,
        "compressed_size_bytes": result.compressed_size,
        "crc32c": result.compressed_crc32c,
        "raw_crc32c": result.raw.crc32c,
        "raw_sha256": result.raw.sha256,
        "compression_level": result.compression_level,
        "compression_ratio": result.ratio,
        "dry_run": result.dry_run,
        "incomplete": incomplete,
    }
    if as_json:
        print_json(data)
        return
    if dry_run:
        click.echo(f"Dry run: would upload {human_size(result.raw.size)} as {result.gcs_path}")
    else:
        click.echo(
            f"Uploaded {result.gcs_path}\n"
            f"  {human_size(result.raw.size)} -> {human_size(result.compressed_size)} "
            f"(ratio {result.ratio}), CRC32C {result.compressed_crc32c}, verified"
        )
    if incomplete:
        click.echo(f"  marked incomplete: {incomplete}")


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{kind} {count}" for kind, count in sorted(counts.items()))


@snapshot.command(name="list")
@instance_option
@click.option("--limit", type=click.IntRange(min=1), help="Show at most N snapshots.")
@click.option("--since", help="Only snapshots newer than this, e.g. 7d, 12h, 2w.")
@click.option("--filter", "text_filter", help="Only filenames containing this, e.g. 2025-12.")
@click.option("--verbose", "-v", is_flag=True, help="Show metadata: counts, Looker, checksums.")
@click.option("--no-cache", is_flag=True, help="Ignore the local listing cache.")
@json_option
def list_command(
    instance: str | None,
    limit: int | None,
    since: str | None,
    text_filter: str | None,
    verbose: bool,
    no_cache: bool,
    as_json: bool,
) -> None:
    """List snapshots, newest first; the index is a REF for other commands."""
    settings, client = _session(instance=instance)
    bucket = settings.require_bucket()
    matching, listing = service.list_indexed(
        client, settings, use_cache=not no_cache, since=since, text_filter=text_filter
    )
    shown = matching[:limit] if limit else matching
    if as_json:
        print_json(
            {
                "total_count": len(matching),
                "from_cache": listing.from_cache,
                "listed_at": listing.listed_at.isoformat().replace("+00:00", "Z"),
                "snapshots": [to_record(item.snapshot, item.index, bucket) for item in shown],
            }
        )
        return
    folder = f"gs://{bucket}/{settings.prefix}{settings.instance}/"
    _say_if_cached(listing)
    if not shown:
        click.echo(f"No snapshots in {folder}" + (" match." if since or text_filter else "."))
        click.echo("Create one with `lookervault snapshot upload`.")
        return
    table = Table(title=f"Snapshots in {folder}", title_justify="left")
    for column in ("#", "timestamp (UTC)", "size", "crc32c", "protected", "incomplete"):
        table.add_column(column)
    if verbose:
        table.add_column("details", overflow="fold")  # a narrow or piped output loses nothing
    for item in shown:
        snap = item.snapshot
        row = [
            str(item.index),
            snap.timestamp.strftime("%Y-%m-%d %H:%M:%S"),
            human_size(snap.size_bytes),
            snap.crc32c,
            snap.metadata.get(PROTECTED_KEY) or ("yes" if snap.protected else ""),
            "incomplete" if snap.incomplete else "",
        ]
        if verbose:
            meta = snap.metadata
            details = [
                f"name {snap.name}",
                f"raw {human_size(int(meta[f'{META}raw-size']))}"
                if f"{META}raw-size" in meta
                else "",
                " ".join(
                    [
                        "looker",
                        meta.get(f"{META}looker-host", ""),
                        meta.get(f"{META}looker-version", ""),
                    ]
                ),
                _counts(snap.counts),
            ]
            row.append("\n".join(d for d in details if d.strip() and d.strip() != "looker"))
        table.add_row(*row)
    console.print(table)
    if len(shown) < len(matching):
        click.echo(f"{len(matching) - len(shown)} more; raise --limit to see them.")


def _say_if_cached(listing: Listing) -> None:
    if listing.from_cache:
        age = listing.age_seconds()
        when = f"{age:.0f} s" if age < 120 else f"{age / 60:.0f} min"
        click.echo(
            f"Listed from the local cache, {when} old; --no-cache asks Cloud Storage. "
            "delete, protect and unprotect always act on the bucket as it is now.",
            err=True,
        )


def _named(resolved: refs.Resolved) -> str:
    return f"{refs.describe(resolved.snapshot)} at {resolved.snapshot.gcs_path(resolved.bucket)}"


def _record(resolved: refs.Resolved, **extra: Any) -> dict[str, Any]:
    snap: Snapshot = resolved.snapshot
    return {
        "name": snap.name,
        "timestamp": to_record(snap, 0, resolved.bucket)["timestamp"],
        "gcs_path": snap.gcs_path(resolved.bucket),
        **extra,
    }


@snapshot.command()
@click.argument("ref")
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path),
    default=Path("looker.db"),
    show_default=True,
    help="Where to write the database.",
)
@click.option("--overwrite", is_flag=True, help="Replace the output file if it exists.")
@instance_option
@json_option
def download(ref: str, output: Path, overwrite: bool, instance: str | None, as_json: bool) -> None:
    """Download and verify a snapshot (REF: index, timestamp, object name or gs:// URL)."""
    settings, client = _session(instance=instance)
    resolved = refs.resolve(client, settings, ref)
    if output.exists() and not output.is_dir() and not overwrite:
        confirm_or_refuse(
            f"{output} exists. Replace it with {refs.describe(resolved.snapshot)}?",
            f"{output} already exists; it was left untouched.",
            "Pass --overwrite to replace it, or choose another --output.",
        )
        overwrite = True
    with transfer_progress("Downloading", resolved.snapshot.size_bytes, not as_json) as advance:
        result = service.download(client, resolved, output, overwrite, advance, settings)
    if as_json:
        print_json(
            _record(
                resolved,
                output=str(result.destination),
                raw_size_bytes=result.raw.size,
                compressed_size_bytes=result.compressed_size,
                raw_sha256=result.raw.sha256,
                verified_against_metadata=result.verified_against_metadata,
                sqlite_checked=result.sqlite_checked,
            )
        )
    else:
        proof = (
            "checksums and SQLite check passed"
            if result.sqlite_checked
            else "byte-identical to the uploaded database, which passed SQLite's check"
        )
        click.echo(
            f"Downloaded {_named(resolved)} to {result.destination} "
            f"({human_size(result.raw.size)}, {proof})"
        )


@snapshot.command()
@click.argument("ref")
@click.option("--force", is_flag=True, help="Do not ask for confirmation.")
@click.option("--dry-run", is_flag=True, help="Show what would be deleted; delete nothing.")
@instance_option
@json_option
def delete(ref: str, force: bool, dry_run: bool, instance: str | None, as_json: bool) -> None:
    """Delete one snapshot (never a protected one)."""
    settings, client = _session(instance=instance)
    resolved = refs.resolve(client, settings, ref)
    named = _named(resolved)
    refuse_if_protected(resolved.snapshot)
    if not dry_run and not force:
        confirm_or_refuse(
            f"Delete {named}?",
            f"Refusing to delete {named} without confirmation.",
            "Pass --force to delete without a prompt, or run it in a terminal.",
        )
    deleted = False
    if not dry_run:
        deleted = service.delete(
            client, settings, resolved, local_recorder(settings), local_actor()
        )
    if as_json:
        print_json(_record(resolved, deleted=deleted, dry_run=dry_run))
    elif dry_run:
        click.echo(f"Dry run: would delete {named}")
    else:
        click.echo(f"Deleted {named}" if deleted else f"{named} was already gone")


@snapshot.command()
@click.argument("ref")
@click.option("--reason", default="", help="Why it must be kept (shown in listings).")
@instance_option
@json_option
def protect(ref: str, reason: str, instance: str | None, as_json: bool) -> None:
    """Keep a snapshot: retention and delete leave it alone."""
    settings, client = _session(instance=instance)
    resolved = refs.resolve(client, settings, ref)
    service.protect(client, settings, resolved, reason, local_recorder(settings), local_actor())
    if as_json:
        print_json(_record(resolved, protected=True, reason=reason or "protected"))
    else:
        click.echo(f"Protected {_named(resolved)}" + (f": {reason}" if reason else ""))


@snapshot.command()
@click.argument("ref")
@instance_option
@json_option
def unprotect(ref: str, instance: str | None, as_json: bool) -> None:
    """Remove a snapshot's protection."""
    settings, client = _session(instance=instance)
    resolved = refs.resolve(client, settings, ref)
    service.unprotect(client, settings, resolved, local_recorder(settings), local_actor())
    if as_json:
        print_json(_record(resolved, protected=False))
    else:
        click.echo(f"Unprotected {_named(resolved)}")
