"""Restore drill: prove a snapshot can be restored, by restoring it and reading it back.

Promise: a drill passes only if every item of the snapshot came back into the scratch Looker
equal up to ids; it fails naming each item that did not.

    snapshot = the newest (or given) one, through the verified download
    target   = a scratch Looker: the local stand-in started for the purpose, or an instance
               given explicitly (never the one the backup came from, unless said so)
    restore  = everything, schedules and alerts switched off
    compare  = extract the target again and compare it with the snapshot, up to ids

Interrupted: the download and the stand-in live in a temporary directory and a thread that
are removed and stopped on exit; a real scratch instance keeps what was restored so far (a
re-run restores into it again through its own id map).
"""
