"""Configuration: flags > LOOKERVAULT_* environment > lookervault.toml > defaults.

`lookervault.toml` groups keys in sections. Keys of `[snapshot]` are top-level settings
(`[snapshot] bucket` is `LOOKERVAULT_BUCKET`); keys of any other section are prefixed with
the section name (`[retention] min_count` is `LOOKERVAULT_RETENTION_MIN_COUNT`). The Looker
instances of a backup job are an array of tables, `[[instances]]` (or JSON in
`LOOKERVAULT_INSTANCES`).
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, field_validator
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
)

from lookervault.errors import ConfigError
from lookervault.instances import LookerInstance, check_slug

CONFIG_FILE_ENV = "LOOKERVAULT_CONFIG"
DEFAULT_CONFIG_FILE = "lookervault.toml"
BASE_SECTION = "snapshot"
_JOB_NAME = re.compile(r"^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$")
_REGION = re.compile(r"^[a-z]+-[a-z]+[0-9]+$")
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9._-]*[a-z0-9]$")
_IPV4 = re.compile(r"^\d+\.\d+\.\d+\.\d+$")
_FIELD_IN_SETTINGS_ERROR = re.compile(r'field "([a-z_]+)"')


def default_state_dir() -> Path:
    """Where the CLI keeps its audit log and listing cache (XDG state directory)."""
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "lookervault"


def config_file_path() -> Path:
    return Path(os.environ.get(CONFIG_FILE_ENV, DEFAULT_CONFIG_FILE))


def read_toml(path: Path) -> dict[str, Any]:
    """Flatten lookervault.toml into setting names; a missing file is no configuration."""
    if not path.is_file():
        if CONFIG_FILE_ENV in os.environ:
            raise ConfigError(
                f"Configuration file {path} does not exist.",
                f"Create it or unset {CONFIG_FILE_ENV}.",
            )
        return {}
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}", "Fix the file and retry.") from exc
    flat: dict[str, Any] = {}
    for key, value in document.items():
        if isinstance(value, dict):
            prefix = "" if key == BASE_SECTION else f"{key}_"
            for inner, inner_value in value.items():
                flat[f"{prefix}{inner}"] = inner_value
        else:
            flat[key] = value
    return flat


class TomlSource(PydanticBaseSettingsSource):
    """Settings from lookervault.toml, flattened by section."""

    def __init__(self, settings_cls: type[BaseSettings]) -> None:
        super().__init__(settings_cls)
        self._values = read_toml(config_file_path())

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return self._values.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return dict(self._values)


class Settings(BaseSettings):
    """Every setting LookerVault reads; see docs/configuration.md."""

    model_config = SettingsConfigDict(env_prefix="LOOKERVAULT_", extra="forbid")

    bucket: str | None = None
    project: str | None = None
    gcs_retry_seconds: float = Field(default=120.0, gt=0)
    prefix: str = "snapshots/"
    instance: str = "default"
    filename_prefix: str = "looker"
    compression_level: int = Field(default=6, ge=1, le=9)
    upload_chunk_mib: int = Field(default=16, ge=1, le=256)
    cache_ttl_seconds: int = Field(default=300, ge=0)
    snapshot_cache_mb: int = Field(default=2048, ge=0)
    state_dir: Path = Field(default_factory=default_state_dir)

    region: str | None = None
    job: str = "lookervault-backup"
    run_api_endpoint: str | None = None
    run_poll_seconds: float = Field(default=2.0, gt=0)
    run_timeout_seconds: float = Field(default=3600.0, gt=0)

    instances: list[LookerInstance] = Field(default_factory=list)
    work_dir: Path | None = None
    workers: int = Field(default=8, ge=1, le=64)

    retention_max_age_days: float | None = Field(default=None, ge=0)
    retention_min_count: int = Field(default=5, ge=1)
    retention_min_age_days: float = Field(default=0, ge=0)
    retention_keep_daily: int = Field(default=0, ge=0)
    retention_keep_weekly: int = Field(default=0, ge=0)
    retention_keep_monthly: int = Field(default=0, ge=0)

    @field_validator("bucket")
    @classmethod
    def _bucket_is_a_name(cls, value: str | None) -> str | None:
        """`gs://name` and `gs://name/` are understood; anything else must be a bucket name."""
        if not value:
            return value
        name = value.removeprefix("gs://").rstrip("/")
        if "/" in name:
            raise ValueError(
                f"{value!r} is a path, not a bucket name; put the bucket here (e.g. "
                f"{name.split('/')[0]!r}) and folders in LOOKERVAULT_PREFIX"
            )
        if not is_bucket_name(name):
            raise ValueError(
                f"{name!r} is not a valid Cloud Storage bucket name (3-63 lower-case letters, "
                "digits, '-', '_' or '.', starting and ending with a letter or digit)"
            )
        return name

    @field_validator("prefix")
    @classmethod
    def _prefix_is_a_folder(cls, value: str) -> str:
        value = value.strip("/")
        return f"{value}/" if value else ""

    @field_validator("instance")
    @classmethod
    def _instance_is_a_slug(cls, value: str) -> str:
        return check_slug(value)

    @field_validator("filename_prefix")
    @classmethod
    def _filename_prefix_is_plain(cls, value: str) -> str:
        if not value or "/" in value or not re.match(r"^[A-Za-z0-9._-]+$", value):
            raise ValueError("must be letters, digits, '.', '_' or '-', without '/'")
        return value

    @field_validator("job")
    @classmethod
    def _job_is_a_name(cls, value: str) -> str:
        if not _JOB_NAME.match(value):
            raise ValueError("must be a Cloud Run job name: lower-case letters, digits and '-'")
        return value

    @field_validator("region")
    @classmethod
    def _region_is_a_region(cls, value: str | None) -> str | None:
        if value is not None and not _REGION.match(value):
            raise ValueError("must be a Cloud Run region such as europe-west1")
        return value

    @field_validator("project")
    @classmethod
    def _project_is_an_id(cls, value: str | None) -> str | None:
        if value is not None and (not value or "/" in value):
            raise ValueError("must be a Google Cloud project id")
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, TomlSource(settings_cls))

    def require_bucket(self) -> str:
        if not self.bucket:
            raise ConfigError(
                "No bucket is configured.",
                "Set LOOKERVAULT_BUCKET or `[snapshot] bucket` in lookervault.toml.",
            )
        return self.bucket

    def job_path(self) -> str:
        """`projects/P/locations/R/jobs/J`, or a ConfigError naming what is missing."""
        missing = [
            f"LOOKERVAULT_{key.upper()}"
            for key, value in (("project", self.project), ("region", self.region))
            if not value
        ]
        if missing:
            raise ConfigError(
                f"The Cloud Run job location is not configured: {' and '.join(missing)} unset.",
                "Set LOOKERVAULT_PROJECT and LOOKERVAULT_REGION (or `project` and `region` under "
                "`[snapshot]` in lookervault.toml) to where Terraform deployed the job.",
            )
        return f"projects/{self.project}/locations/{self.region}/jobs/{self.job}"


def is_bucket_name(name: str) -> bool:
    """Cloud Storage's naming rules, so a typo is exit 2 here rather than "not found" later."""
    parts = name.split(".")
    return (
        3 <= len(name) <= 222
        and _BUCKET.match(name) is not None
        and all(0 < len(part) <= 63 for part in parts)
        and (len(parts) > 1 or len(name) <= 63)
        and not _IPV4.match(name)
        and not name.startswith("goog")
    )


def load_settings(**flags: Any) -> Settings:
    """Build settings, turning validation errors into an exit-2 error naming the key."""
    given = {key: value for key, value in flags.items() if value is not None}
    try:
        return Settings(**given)
    except SettingsError as exc:  # a value that does not even parse, e.g. malformed JSON
        field = _FIELD_IN_SETTINGS_ERROR.search(str(exc))
        key = f"LOOKERVAULT_{field.group(1).upper()}" if field else "A LOOKERVAULT_* variable"
        cause = f": {exc.__cause__}" if exc.__cause__ else ""
        raise ConfigError(
            f"Invalid configuration: {key} cannot be parsed{cause}.",
            f"Fix {key} and retry: it must be valid JSON (see docs/configuration.md).",
        ) from exc
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            key = ".".join(str(part) for part in error["loc"]) or "configuration"
            problems.append(f"{key}: {error['msg']}")
        raise ConfigError(
            "Invalid configuration: " + "; ".join(problems),
            "Fix the flag, the LOOKERVAULT_* variable or lookervault.toml and retry.",
        ) from exc
