"""The names of a Looker instance that may be recorded: a host, and the URLs the instance
gives for itself. Pure data, so the store and the snapshot commands read them without loading
Looker's SDK."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit


def looker_host(base_url: str) -> str:
    """`host[:port]` of the base URL: recordable, with any user:password@ dropped."""
    parts = urlsplit(base_url)
    host = parts.hostname or base_url
    return f"{host}:{parts.port}" if parts.port else host


@dataclass(frozen=True)
class InstanceUrls:
    """The URLs an instance gives for itself; None where it would not say."""

    host_url: str | None = None
    web_server_url: str | None = None

    @property
    def key(self) -> str | None:
        """`host[:port]` of the instance's own URL: its name in the restore state."""
        url = self.host_url or self.web_server_url
        return looker_host(url) if url else None

    def record(self) -> dict[str, Any]:
        return {"host_url": self.host_url, "web_server_url": self.web_server_url}
