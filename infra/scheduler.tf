# The schedule: Cloud Scheduler calls the Cloud Run Admin API's jobs.run with an OAuth token of
# its own service account, which may run this job and nothing else.

resource "google_service_account" "scheduler" {
  project      = var.project_id
  account_id   = "${var.name}-scheduler"
  display_name = "LookerVault backup schedule"
  description  = "Starts the backup job on schedule; run.invoker on that job only."
}

resource "google_cloud_run_v2_job_iam_member" "scheduler_runs_job" {
  project  = var.project_id
  location = var.region
  name     = google_cloud_run_v2_job.backup.name
  role     = "roles/run.invoker"
  member   = google_service_account.scheduler.member
}

resource "google_cloud_scheduler_job" "backup" {
  project          = var.project_id
  region           = var.region
  name             = local.job_name
  description      = "Starts the LookerVault backup job"
  schedule         = var.schedule
  time_zone        = var.time_zone
  attempt_deadline = "180s"

  retry_config {
    retry_count          = 3
    min_backoff_duration = "60s"
  }

  http_target {
    http_method = "POST"
    uri         = "https://run.googleapis.com/v2/projects/${var.project_id}/locations/${var.region}/jobs/${google_cloud_run_v2_job.backup.name}:run"

    # A Google API takes an OAuth access token (OIDC tokens are for Cloud Run services).
    oauth_token {
      service_account_email = google_service_account.scheduler.email
      scope                 = "https://www.googleapis.com/auth/cloud-platform"
    }
  }

  depends_on = [
    google_project_service.enabled,
    google_cloud_run_v2_job_iam_member.scheduler_runs_job,
    google_service_account_iam_member.deployer_acts_as,
  ]
}
