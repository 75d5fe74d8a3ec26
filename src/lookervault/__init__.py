"""LookerVault: backup and disaster recovery for Looker on Google Cloud."""

__version__ = "0.1.0"
