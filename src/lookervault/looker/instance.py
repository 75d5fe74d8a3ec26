"""Which Looker instance a client reaches, as the instance names itself.

One instance answers at several URLs: a custom domain and `*.cloud.looker.com`, the legacy API
port 19999 beside 443, a proxy or a private endpoint. The URL a client was given names the way
in, not the instance. Looker's `host_url` setting (readable where the credentials may read the
instance's settings) and the web server URL `/versions` reports name the instance whatever
the way in; extraction records both, and restore compares them (restore/identity.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lookervault.looker.client import LookerClient, LookerRequestError, looker_host


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


def read_instance_urls(client: LookerClient) -> InstanceUrls:
    """Ask the instance for its URLs. Settings need admin rights, and the URLs are a hint:
    a refusal or a failure leaves `host_url` unknown rather than failing the run."""
    host_url = None
    try:
        setting = client.get_json("/setting", {"fields": "host_url"})
    except LookerRequestError:
        pass
    else:
        if isinstance(setting, dict) and setting.get("host_url"):
            host_url = str(setting["host_url"])
    versions = client.versions or client.get_json("/versions")
    web_server_url = versions.get("web_server_url") if isinstance(versions, dict) else None
    return InstanceUrls(host_url, str(web_server_url) if web_server_url else None)
