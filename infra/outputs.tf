output "bucket" {
  description = "The snapshot bucket."
  value       = google_storage_bucket.snapshots.name
}

output "job" {
  description = "The Cloud Run backup job."
  value       = google_cloud_run_v2_job.backup.name
}

output "scheduler" {
  description = "The Cloud Scheduler job that starts the backup job."
  value       = google_cloud_scheduler_job.backup.name
}

output "function" {
  description = "The retention function."
  value       = google_cloudfunctions2_function.retention.name
}

output "image_repository" {
  description = "Where Cloud Build pushes job images: <this>/job:<commit>."
  value       = "${var.region}-docker.pkg.dev/${var.project_id}/${google_artifact_registry_repository.images.repository_id}"
}

output "service_accounts" {
  description = "The service accounts LookerVault runs as."
  value = {
    job            = google_service_account.job.email
    scheduler      = google_service_account.scheduler.email
    function       = google_service_account.function.email
    trigger        = google_service_account.trigger.email
    function_build = google_service_account.function_build.email
    drill          = one(google_service_account.drill[*].email)
  }
}

output "audit_log_bucket" {
  description = "The log bucket holding the audit entries."
  value       = google_logging_project_bucket_config.audit.id
}

output "cli_environment" {
  description = "What a CLI user exports: `snapshot list/download/cleanup` and `backup run/status` then use this deployment, with the function's retention policy."
  value       = local.cli_environment
}

output "cli_exports" {
  description = "cli_environment as shell: eval \"$(terraform output -raw cli_exports)\"."
  value       = join("\n", [for key, value in local.cli_environment : "export ${key}='${value}'"])
}

output "alert_policies" {
  description = "The alert policies: backup job errors, snapshots that stopped, failed drills."
  value = concat(
    [google_monitoring_alert_policy.job_errors.name, google_monitoring_alert_policy.snapshots_stopped.name],
    google_monitoring_alert_policy.drill_failures[*].name,
  )
}
