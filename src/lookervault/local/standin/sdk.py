"""looker_sdk settings that point at a running stand-in (never read from looker.ini or the
environment, so a developer's own Looker credentials are never used by mistake)."""

from __future__ import annotations

from looker_sdk.rtl import api_settings

from lookervault.local.standin.server import StandIn


class StandInSettings(api_settings.ApiSettings):
    def __init__(self, standin: StandIn, timeout_s: int = 30) -> None:
        self._config: api_settings.SettingsConfig = {
            "base_url": standin.base_url,
            "client_id": standin.client_id,
            "client_secret": standin.client_secret,
            "verify_ssl": "false",
            "timeout": str(timeout_s),
        }
        super().__init__(filename="looker.ini")

    def read_config(self) -> api_settings.SettingsConfig:
        return dict(self._config)  # type: ignore[return-value]
