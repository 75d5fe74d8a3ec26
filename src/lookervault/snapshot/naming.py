"""Snapshot object names: `<prefix><instance>/<filename_prefix>-YYYY-MM-DDTHH-MM-SS.db.gz`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

TIMESTAMP_FORMAT = "%Y-%m-%dT%H-%M-%S"
SUFFIX = ".db.gz"
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}$")
_TIMESTAMP_LENGTH = len("YYYY-MM-DDTHH-MM-SS")


@dataclass(frozen=True)
class SnapshotName:
    """The parts of a snapshot object name."""

    prefix: str
    instance: str
    filename_prefix: str
    timestamp: datetime

    @property
    def filename(self) -> str:
        return f"{self.filename_prefix}-{format_timestamp(self.timestamp)}{SUFFIX}"

    @property
    def object_name(self) -> str:
        return f"{self.prefix}{self.instance}/{self.filename}"

    def next_second(self) -> SnapshotName:
        """The same name one second later: how a taken name moves on."""
        return SnapshotName(
            self.prefix, self.instance, self.filename_prefix, self.timestamp + timedelta(seconds=1)
        )


def format_timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(TIMESTAMP_FORMAT)


def iso_utc(moment: datetime) -> str:
    """ISO 8601 in UTC with a `Z`, as every JSON output writes times."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def parse_timestamp(text: str) -> datetime | None:
    """A `YYYY-MM-DDTHH-MM-SS` string as an aware UTC datetime, or None."""
    if not _TIMESTAMP.match(text):
        return None
    try:
        return datetime.strptime(text, TIMESTAMP_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None


def instance_folder(prefix: str, instance: str) -> str:
    return f"{prefix}{instance}/"


def build_name(prefix: str, instance: str, filename_prefix: str, moment: datetime) -> SnapshotName:
    return SnapshotName(
        prefix, instance, filename_prefix, moment.astimezone(UTC).replace(microsecond=0)
    )


def parse_name(
    object_name: str, prefix: str, filename_prefix: str | None = None
) -> SnapshotName | None:
    """Parse an object name from the right (a filename prefix may contain hyphens).

    Returns None for anything that is not a snapshot under `prefix`: temporary parts, other
    folders, nested paths, wrong suffixes, impossible dates.
    """
    if not object_name.startswith(prefix) or not object_name.endswith(SUFFIX):
        return None
    rest = object_name[len(prefix) :]
    instance, slash, filename = rest.partition("/")
    if not slash or not instance or "/" in filename:
        return None
    stem = filename[: -len(SUFFIX)]
    if len(stem) < _TIMESTAMP_LENGTH + 2 or stem[-_TIMESTAMP_LENGTH - 1] != "-":
        return None
    moment = parse_timestamp(stem[-_TIMESTAMP_LENGTH:])
    found_prefix = stem[: -_TIMESTAMP_LENGTH - 1]
    if moment is None or not found_prefix:
        return None
    if filename_prefix is not None and found_prefix != filename_prefix:
        return None
    return SnapshotName(prefix, instance, found_prefix, moment)
