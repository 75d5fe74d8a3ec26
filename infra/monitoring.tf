# Knowing when backups stop: an alert when the backup job logs an error, and an alert when an
# instance's snapshot.created audit entries stop arriving (metric absence). Notifications go to
# the channels given in var.notification_channels (made elsewhere: email, PagerDuty, ...).

resource "google_logging_metric" "job_errors" {
  project     = var.project_id
  name        = "${var.name}/backup_job_errors"
  description = "Error entries of the LookerVault backup job (a failed instance, a job that cannot start)."
  filter = join(" AND ", [
    "resource.type=\"cloud_run_job\"",
    "resource.labels.job_name=\"${local.job_name}\"",
    "severity>=ERROR",
  ])

  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "INT64"
    unit        = "1"
  }

  depends_on = [google_project_service.enabled]
}

resource "google_logging_metric" "snapshots_created" {
  project     = var.project_id
  name        = "${var.name}/snapshots_created"
  description = "snapshot.created audit entries of the backup job, by Looker instance."
  filter = join(" AND ", [
    local.audit_filter,
    "jsonPayload.audit.action=\"snapshot.created\"",
    "jsonPayload.audit.outcome=\"success\"",
  ])
  label_extractors = {
    instance = "EXTRACT(labels.instance)"
  }

  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "INT64"
    unit        = "1"

    labels {
      key         = "instance"
      value_type  = "STRING"
      description = "The Looker instance the snapshot belongs to."
    }
  }

  depends_on = [google_project_service.enabled]
}

resource "google_monitoring_alert_policy" "job_errors" {
  project               = var.project_id
  display_name          = "LookerVault: the backup job logged an error"
  combiner              = "OR"
  notification_channels = var.notification_channels
  user_labels           = local.labels

  conditions {
    display_name = "Error entries of ${local.job_name}"

    condition_threshold {
      filter          = "metric.type=\"logging.googleapis.com/user/${google_logging_metric.job_errors.name}\" AND resource.type=\"cloud_run_job\""
      comparison      = "COMPARISON_GT"
      threshold_value = 0
      duration        = "0s"

      aggregations {
        alignment_period   = "300s"
        per_series_aligner = "ALIGN_SUM"
      }
    }
  }

  alert_strategy {
    auto_close = "86400s"
  }

  documentation {
    mime_type = "text/markdown"
    content   = "The LookerVault backup job (${local.job_name}) logged an error: an instance was not backed up. Read the job's logs, then `lookervault backup status --max-age ${var.freshness_window_minutes}m`."
  }
}

resource "google_monitoring_alert_policy" "snapshots_stopped" {
  project               = var.project_id
  display_name          = "LookerVault: no new snapshot of an instance"
  combiner              = "OR"
  notification_channels = var.notification_channels
  user_labels           = local.labels

  conditions {
    display_name = "No snapshot.created for ${var.freshness_window_minutes} minutes"

    condition_absent {
      filter   = "metric.type=\"logging.googleapis.com/user/${google_logging_metric.snapshots_created.name}\" AND resource.type=\"cloud_run_job\""
      duration = "${var.freshness_window_minutes * 60}s"

      aggregations {
        alignment_period     = "300s"
        per_series_aligner   = "ALIGN_SUM"
        cross_series_reducer = "REDUCE_SUM"
        group_by_fields      = ["metric.label.instance"]
      }
    }
  }

  alert_strategy {
    auto_close = "86400s"
  }

  documentation {
    mime_type = "text/markdown"
    content   = "No snapshot of a Looker instance arrived for ${var.freshness_window_minutes} minutes. `lookervault backup status --max-age ${var.freshness_window_minutes}m` names the instance and the job's last execution."
  }
}
