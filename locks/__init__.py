"""The dependency locks (`make lock`) and the check that they match pyproject.toml."""
