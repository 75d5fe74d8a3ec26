# Audit trail: every snapshot created, deleted, protected or kept against the policy is a
# structured log entry labelled audit=true (DESIGN.md section 5). A sink routes the job's and the
# function's audit entries to a log bucket with its own retention.

resource "google_logging_project_bucket_config" "audit" {
  project        = var.project_id
  location       = var.region
  bucket_id      = "${var.name}-audit"
  retention_days = var.audit_log_retention_days
  description    = "LookerVault audit entries (snapshot created, deleted, protected, kept)"

  depends_on = [google_project_service.enabled]
}

locals {
  audit_filter = join(" AND ", [
    "labels.audit=\"true\"",
    join(" OR ", [
      "(resource.type=\"cloud_run_job\" AND resource.labels.job_name=\"${local.job_name}\")",
      "(resource.type=\"cloud_run_revision\" AND resource.labels.service_name=\"${local.function_name}\")",
      "(resource.type=\"cloud_function\" AND resource.labels.function_name=\"${local.function_name}\")",
    ]),
  ])
}

# Same project: the sink writes into the log bucket without a grant to its writer identity.
resource "google_logging_project_sink" "audit" {
  project                = var.project_id
  name                   = "${var.name}-audit"
  description            = "LookerVault audit entries to their log bucket"
  destination            = "logging.googleapis.com/${google_logging_project_bucket_config.audit.id}"
  filter                 = local.audit_filter
  unique_writer_identity = true
}

# Who read or wrote which snapshot, from Cloud Storage itself: Data Access audit logs for the
# project's buckets. Authoritative for storage.googleapis.com in this project (see the variable).
resource "google_project_iam_audit_config" "storage_data_access" {
  count = var.storage_data_access_logs ? 1 : 0

  project = var.project_id
  service = "storage.googleapis.com"

  audit_log_config {
    log_type = "DATA_READ"
  }
  audit_log_config {
    log_type = "DATA_WRITE"
  }
}
