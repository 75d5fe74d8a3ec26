"""Snapshot storage: verified, create-only gzip snapshots of a looker.db in Cloud Storage.

Promise: an object appears under a snapshot name only if it holds exactly the bytes of a
database that passed SQLite's check, and a download is put in place only if it is
byte-identical to what was uploaded.

    upload:   consistent copy -> hash beside quick_check -> gzip + CRC32C stream, which fails
              before the final request if the copy changed -> create-only resumable upload
              -> compare the committed CRC32C, delete on mismatch
    download: raw ranges, two at a time -> CRC32C -> gunzip -> size/SHA-256 vs metadata
              (the raw CRC32C instead when the metadata has no SHA-256)
              -> quick_check (unless the SHA-256 proves it passed at upload)
              -> atomic rename over the destination
    service:  the use cases (upload, list, download, delete, protect) with their audit events

Interrupted: an upload leaves no object under a snapshot name (an unfinished resumable upload
is never committed); a download leaves the destination untouched and removes its temporary
file.
"""
