from pathlib import Path

import pytest

from lookervault.config import load_settings
from lookervault.errors import ConfigError


def write_toml(text: str) -> None:
    Path("lookervault.toml").write_text(text)


def test_defaults() -> None:
    settings = load_settings()
    assert settings.bucket is None
    assert settings.prefix == "snapshots/"
    assert settings.instance == "default"
    assert settings.filename_prefix == "looker"
    assert settings.compression_level == 6
    assert settings.cache_ttl_seconds == 300


def test_flags_beat_environment_beat_file(monkeypatch: pytest.MonkeyPatch) -> None:
    write_toml('[snapshot]\nbucket = "from-file"\ninstance = "file"\nprefix = "backups"\n')
    monkeypatch.setenv("LOOKERVAULT_INSTANCE", "env")
    settings = load_settings(instance="flag")
    assert (settings.bucket, settings.instance, settings.prefix) == (
        "from-file",
        "flag",
        "backups/",
    )
    assert load_settings().instance == "env"


def test_other_sections_are_prefixed(monkeypatch: pytest.MonkeyPatch) -> None:
    write_toml("[retention]\nmin_count = 3\nmax_age_days = 30\n")
    settings = load_settings()
    assert settings.retention_min_count == 3
    assert settings.retention_max_age_days == 30
    monkeypatch.setenv("LOOKERVAULT_RETENTION_MIN_COUNT", "7")
    assert load_settings().retention_min_count == 7


@pytest.mark.parametrize(
    ("toml", "key"),
    [
        ("[snapshot]\ncompression_level = 0\n", "compression_level"),
        ('[snapshot]\ninstance = "Not A Slug"\n', "instance"),
        ('[snapshot]\nfilename_prefix = "a/b"\n', "filename_prefix"),
        ("[retention]\nmin_count = 0\n", "retention_min_count"),
        ('[snapshot]\nbuckett = "typo"\n', "buckett"),
        ('[snapshot]\nregion = "Europe"\n', "region"),
    ],
)
def test_invalid_configuration_names_the_key(toml: str, key: str) -> None:
    write_toml(toml)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert key in caught.value.message
    assert caught.value.exit_code == 2


def test_broken_toml_is_a_config_error() -> None:
    write_toml("[snapshot\nbucket=")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings()


def test_missing_explicit_config_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("LOOKERVAULT_CONFIG", str(tmp_path / "nope.toml"))
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings()
