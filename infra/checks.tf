# Warnings shown on every plan and apply.

check "bucket_lock_is_irreversible" {
  assert {
    condition     = !var.lock_bucket_retention
    error_message = "WARNING: lock_bucket_retention = true LOCKS the snapshot bucket's retention policy FOREVER. It can never be removed or shortened, no snapshot can be deleted before ${coalesce(var.bucket_retention_days, 0)} days, and the bucket cannot be deleted until all of its objects are that old. Set it to false unless a compliance requirement demands it."
  }
}
