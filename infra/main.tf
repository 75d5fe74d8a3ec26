# Names and settings shared by every file. Snapshot naming and retention settings are computed
# once here and used both by the function's environment and by the bucket's lifecycle rules.

locals {
  bucket_name     = coalesce(var.bucket_name, "${var.project_id}-${var.name}-snapshots")
  bucket_location = upper(coalesce(var.bucket_location, var.region))
  job_name        = "${var.name}-backup"
  function_name   = "${var.name}-retention"
  # Custom role ids allow letters, digits, '_' and '.' only.
  role_prefix = replace(var.name, "-", "_")

  labels = merge({ app = "lookervault" }, var.labels)

  # GCS minimum storage durations (days) and the order of colder classes.
  minimum_storage_days = { STANDARD = 0, NEARLINE = 30, COLDLINE = 90, ARCHIVE = 365 }
  class_rank           = { STANDARD = 0, NEARLINE = 1, COLDLINE = 2, ARCHIVE = 3 }

  # What the CLI, the job and the function read to agree on where snapshots are.
  naming_env = {
    LOOKERVAULT_PREFIX          = var.snapshot_prefix
    LOOKERVAULT_FILENAME_PREFIX = var.filename_prefix
  }
  retention_env = merge(
    {
      LOOKERVAULT_RETENTION_MIN_COUNT    = tostring(var.retention.min_count)
      LOOKERVAULT_RETENTION_MIN_AGE_DAYS = tostring(var.retention.min_age_days)
      LOOKERVAULT_RETENTION_KEEP_DAILY   = tostring(var.retention.keep_daily)
      LOOKERVAULT_RETENTION_KEEP_WEEKLY  = tostring(var.retention.keep_weekly)
      LOOKERVAULT_RETENTION_KEEP_MONTHLY = tostring(var.retention.keep_monthly)
    },
    var.retention.max_age_days == null ? {} : {
      LOOKERVAULT_RETENTION_MAX_AGE_DAYS = tostring(var.retention.max_age_days)
    },
  )

  cli_environment = merge(local.naming_env, local.retention_env, {
    LOOKERVAULT_BUCKET  = google_storage_bucket.snapshots.name
    LOOKERVAULT_PROJECT = var.project_id
    LOOKERVAULT_REGION  = var.region
    LOOKERVAULT_JOB     = google_cloud_run_v2_job.backup.name
  })
}
