"""Fixtures for the stand-in's own tests: the shared Looker fixtures, imported."""

from tests.support.looker_fixtures import looker_env, sdk, standin, standin_factory

__all__ = ["looker_env", "sdk", "standin", "standin_factory"]
