"""Retention: which snapshots to keep, decided by one pure function, applied safely.

Promise: nothing protected, nothing among the newest `min_count`, nothing younger than
`min_age_days` is ever deleted, and applying the policy twice deletes nothing more.

    policy:   decide(snapshots, policy, now) -> one decision per snapshot, with reasons
    cleanup:  list one instance folder -> decide -> delete each with generation preconditions
    function: a storage finalize event -> cleanup of that snapshot's instance folder

Interrupted: every delete stands alone (re-read, precondition, delete); a re-run finishes
the rest, and a 404 counts as done.
"""
