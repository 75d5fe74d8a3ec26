"""Backup: the Cloud Run job that extracts each Looker instance and uploads a snapshot, and
the Cloud Run Admin API calls that start it and report on it.

Promise: a task exits 0 only when every instance it owns has a verified snapshot; one
instance failing does not stop the others.

    job:      for each instance of this task: extract -> looker.db -> snapshot upload
    cloudrun: run the job (optionally wait), list recent executions, newest snapshots

Interrupted (SIGTERM, SIGKILL): the task's working directory is removed on SIGTERM; no
partial snapshot is ever visible, and the next execution starts afresh.
"""
