"""Looker access: the SDK client with retries, the content-type registry, the extraction engine."""
