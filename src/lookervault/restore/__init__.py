"""Restore: put a backup's content back into a Looker instance, the same one or another.

Promise: after a run that exits 0, every selected item (and every item it needs) is in the
target as the backup has it, up to ids; items that still existed keep their ids; a second run
makes no write request; nothing is deleted from the target except tiles, filters, sections
and items of a restored dashboard or board, access entries of a folder or board, and a
user's own attribute values, that the backup does not have.

    source  = the backup's items (a looker.db, or a snapshot through the verified download)
    target  = what the Looker instance holds now (listings, then details of the matches)
    plan    = for each selected item and each dependency the target lacks:
              match it (id map, same id, natural key) -> create | update | undelete |
              unchanged | skip, comparing only the fields Looker lets a client write;
              what a type does beyond its registry row is its handler's (types/)
    apply   = each item as soon as what it needs is done, on parallel workers; each
              create records its new id in the id map at once; a failed item is recorded
              and what needs it is skipped with that reason

Interrupted (kill -9, Ctrl-C, a lost connection): every item is written by itself and the id
map is committed after each create, so running the same command again plans only what is
left; `--retry-failed` re-runs just the items that failed.
"""
