"""looker_sdk settings for a configured Looker instance, from the variables it names."""

from __future__ import annotations

import os

from looker_sdk.rtl import api_settings

from lookervault.errors import ConfigError
from lookervault.instances import LookerInstance


class InstanceApiSettings(api_settings.ApiSettings):
    """looker_sdk settings read from the instance's named variables, never from looker.ini."""

    def __init__(self, instance: LookerInstance) -> None:
        self._instance = instance
        super().__init__()

    def read_config(self) -> api_settings.SettingsConfig:
        instance = self._instance
        return {
            "base_url": instance.base_url,
            "verify_ssl": "true" if instance.verify_ssl else "false",
            "client_id": os.environ.get(instance.client_id_env, ""),
            "client_secret": os.environ.get(instance.client_secret_env, ""),
        }


def sdk_settings(instance: LookerInstance) -> api_settings.ApiSettings:
    """Settings for the SDK; exit 2 naming the variables (not their values) when one is unset."""
    missing = [
        name
        for name in (instance.client_id_env, instance.client_secret_env)
        if not os.environ.get(name)
    ]
    if missing:
        raise ConfigError(
            f"Credentials for Looker instance {instance.name!r} are missing: "
            f"{' and '.join(missing)} not set.",
            "Set them (in Cloud Run: map the Secret Manager secrets to these variables).",
        )
    return InstanceApiSettings(instance)
