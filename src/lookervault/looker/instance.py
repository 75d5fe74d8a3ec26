"""Which Looker instance a client reaches, as the instance names itself.

One instance answers at several URLs: a custom domain and `*.cloud.looker.com`, the legacy API
port 19999 beside 443, a proxy or a private endpoint. The URL a client was given names the way
in, not the instance. Looker's `host_url` setting (readable where the credentials may read the
instance's settings) and the web server URL `/versions` reports name the instance whatever
the way in; extraction records both, and restore compares them (restore/identity.py).
"""

from __future__ import annotations

from lookervault.looker.client import LookerClient, LookerRequestError
from lookervault.looker.hosts import InstanceUrls


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
