"""The Looker instances one backup job covers.

Credentials are never part of the configuration: an instance names the environment
variables that hold them (in Cloud Run, Secret Manager secrets mounted as environment).
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, field_validator

_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")


def check_slug(value: str) -> str:
    """An instance name is a folder name: a short slug (a pydantic validator's ValueError)."""
    if not _SLUG.match(value):
        raise ValueError("must be a short slug: lower-case letters, digits, '-' or '_'")
    return value


class LookerInstance(BaseModel):
    """One Looker instance: its snapshots live under `<prefix><name>/`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    base_url: str
    client_id_env: str = "LOOKERSDK_CLIENT_ID"
    client_secret_env: str = "LOOKERSDK_CLIENT_SECRET"
    verify_ssl: bool = True

    @field_validator("name")
    @classmethod
    def _name_is_a_slug(cls, value: str) -> str:
        return check_slug(value)

    @field_validator("base_url")
    @classmethod
    def _base_url_is_http(cls, value: str) -> str:
        if not value.startswith(("https://", "http://")):
            raise ValueError("must start with https:// (or http:// for a local stand-in)")
        return value.rstrip("/")

    @field_validator("client_id_env", "client_secret_env")
    @classmethod
    def _is_an_env_name(cls, value: str) -> str:
        if not _ENV_NAME.match(value):
            raise ValueError("must be the name of an environment variable")
        return value
