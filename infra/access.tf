# People: who may read snapshots with the CLI, who may manage them, who may start the job.
# All bucket- or job-scoped; nobody gets a project-wide role here.

# `snapshot list`, `download`, `diff`, `browse`, `restore --from-snapshot`.
resource "google_storage_bucket_iam_member" "readers" {
  for_each = toset(var.snapshot_readers)

  bucket = google_storage_bucket.snapshots.name
  role   = "roles/storage.objectViewer"
  member = each.value
}

# Also `snapshot upload`, `protect`, `unprotect` (temporary holds), `delete` and `cleanup`.
resource "google_storage_bucket_iam_member" "admins" {
  for_each = toset(var.snapshot_admins)

  bucket = google_storage_bucket.snapshots.name
  role   = "roles/storage.objectAdmin"
  member = each.value
}

# `backup run` (jobs.run) and `backup status` (the job's executions).
resource "google_cloud_run_v2_job_iam_member" "operators_run" {
  for_each = toset(var.backup_operators)

  project  = var.project_id
  location = var.region
  name     = google_cloud_run_v2_job.backup.name
  role     = "roles/run.invoker"
  member   = each.value
}

resource "google_cloud_run_v2_job_iam_member" "operators_view" {
  for_each = toset(var.backup_operators)

  project  = var.project_id
  location = var.region
  name     = google_cloud_run_v2_job.backup.name
  role     = "roles/run.viewer"
  member   = each.value
}
