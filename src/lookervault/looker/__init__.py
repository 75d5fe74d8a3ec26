"""Looker access: the SDK client with retries, the content-type registry, extraction, the
SQLite content store that extraction and restore share.

Promise: a completed extraction run holds every item of every chosen type that Looker served,
soft-deleted dashboards and looks included; a page that keeps failing fails the run.

    client:        looker_sdk over a session with rate limit, retries and Retry-After
    content_types: one row per type: how to list, fetch and order it
    extract:       workers list and fetch pages -> one writer thread commits page by page
    store:         content rows, runs and resume bookkeeping in SQLite

Interrupted: committed pages stay; the run is left unfinished and `extract --resume`
continues from the last committed page.
"""
