# The restore drill, off by default: a second Cloud Run job (the same image) that restores each
# instance's newest snapshot into the local Looker stand-in it carries, reads it back and
# compares, logging one structured line per instance. It only reads snapshots.

locals {
  drill_enabled = var.drill_schedule != null
}

resource "google_service_account" "drill" {
  count = local.drill_enabled ? 1 : 0

  project      = var.project_id
  account_id   = "${var.name}-drill"
  display_name = "LookerVault restore drill"
  description  = "Reads snapshots to prove they restore; writes nothing to the bucket."
}

resource "google_storage_bucket_iam_member" "drill_reads_snapshots" {
  count = local.drill_enabled ? 1 : 0

  bucket = google_storage_bucket.snapshots.name
  role   = "roles/storage.objectViewer"
  member = google_service_account.drill[0].member
}

resource "google_cloud_run_v2_job" "drill" {
  count = local.drill_enabled ? 1 : 0

  project             = var.project_id
  name                = "${var.name}-drill"
  location            = var.region
  deletion_protection = var.deletion_protection
  labels              = local.labels

  template {
    task_count = 1

    template {
      service_account       = google_service_account.drill[0].email
      timeout               = "${var.job_timeout_seconds}s"
      max_retries           = 0
      execution_environment = "EXECUTION_ENVIRONMENT_GEN2"

      containers {
        image   = var.job_image
        command = ["python", "-m", "lookervault.drill"]

        resources {
          limits = {
            cpu    = var.job_cpu
            memory = var.job_memory
          }
        }

        dynamic "env" {
          for_each = merge(local.naming_env, {
            LOOKERVAULT_BUCKET    = google_storage_bucket.snapshots.name
            LOOKERVAULT_PROJECT   = var.project_id
            LOOKERVAULT_WORK_DIR  = "/tmp"
            LOOKERVAULT_STATE_DIR = "/tmp/state"
            LOOKERVAULT_INSTANCES = local.instances_json
          })
          content {
            name  = env.key
            value = env.value
          }
        }
      }
    }
  }

  depends_on = [
    google_project_service.enabled,
    google_storage_bucket_iam_member.drill_reads_snapshots,
    google_service_account_iam_member.deployer_acts_as,
  ]
}

resource "google_cloud_run_v2_job_iam_member" "scheduler_runs_drill" {
  count = local.drill_enabled ? 1 : 0

  project  = var.project_id
  location = var.region
  name     = google_cloud_run_v2_job.drill[0].name
  role     = "roles/run.invoker"
  member   = google_service_account.scheduler.member
}

resource "google_cloud_scheduler_job" "drill" {
  count = local.drill_enabled ? 1 : 0

  project          = var.project_id
  region           = var.region
  name             = "${var.name}-drill"
  description      = "Starts the LookerVault restore drill"
  schedule         = var.drill_schedule
  time_zone        = var.time_zone
  attempt_deadline = "180s"

  http_target {
    http_method = "POST"
    uri         = "https://run.googleapis.com/v2/projects/${var.project_id}/locations/${var.region}/jobs/${google_cloud_run_v2_job.drill[0].name}:run"

    oauth_token {
      service_account_email = google_service_account.scheduler.email
      scope                 = "https://www.googleapis.com/auth/cloud-platform"
    }
  }

  depends_on = [google_cloud_run_v2_job_iam_member.scheduler_runs_drill]
}

resource "google_logging_metric" "drill_failures" {
  count = local.drill_enabled ? 1 : 0

  project     = var.project_id
  name        = "${var.name}/drill_failures"
  description = "Restore drills that failed."
  filter = join(" AND ", [
    "resource.type=\"cloud_run_job\"",
    "resource.labels.job_name=\"${var.name}-drill\"",
    "severity>=ERROR",
  ])

  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "INT64"
    unit        = "1"
  }
}

resource "google_monitoring_alert_policy" "drill_failures" {
  count = local.drill_enabled ? 1 : 0

  project               = var.project_id
  display_name          = "LookerVault: a restore drill failed"
  combiner              = "OR"
  notification_channels = var.notification_channels
  user_labels           = local.labels

  conditions {
    display_name = "Error entries of ${var.name}-drill"

    condition_threshold {
      filter          = "metric.type=\"logging.googleapis.com/user/${google_logging_metric.drill_failures[0].name}\" AND resource.type=\"cloud_run_job\""
      comparison      = "COMPARISON_GT"
      threshold_value = 0
      duration        = "0s"

      aggregations {
        alignment_period   = "300s"
        per_series_aligner = "ALIGN_SUM"
      }
    }
  }

  documentation {
    mime_type = "text/markdown"
    content   = "A restore drill failed: a snapshot did not come back as backed up. Its log line names the items; reproduce with `lookervault drill --from-snapshot REF`."
  }
}
