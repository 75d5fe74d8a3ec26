# Knowing when backups stop: the alert policies exist, watch the backup job and the audit
# entries, notify the given channels; the drill job is off unless scheduled, and only reads.

mock_provider "google" {}

variables {
  project_id      = "lv-test-project"
  job_image       = "europe-west1-docker.pkg.dev/lv-test-project/lookervault/job:0123abcd"
  function_bundle = "tests/fixtures/function-bundle.zip"
  looker_instances = {
    emea = {
      base_url              = "https://emea.looker.example.com"
      client_id_secret      = "looker-emea-client-id"
      client_id_version     = "1"
      client_secret_secret  = "looker-emea-client-secret"
      client_secret_version = "2"
    }
  }
  notification_channels = ["projects/lv-test-project/notificationChannels/42"]
}

run "the_job_failing_is_an_alert" {
  command = plan

  assert {
    condition = alltrue([
      strcontains(google_logging_metric.job_errors.filter, "resource.labels.job_name=\"${google_cloud_run_v2_job.backup.name}\""),
      strcontains(google_logging_metric.job_errors.filter, "severity>=ERROR"),
    ])
    error_message = "The job error metric must count the backup job's error entries."
  }
  assert {
    condition     = strcontains(google_monitoring_alert_policy.job_errors.conditions[0].condition_threshold[0].filter, "logging.googleapis.com/user/${google_logging_metric.job_errors.name}")
    error_message = "The job error alert must watch the job error metric."
  }
  assert {
    condition     = google_monitoring_alert_policy.job_errors.notification_channels == tolist(["projects/lv-test-project/notificationChannels/42"])
    error_message = "Alerts go to the channels given."
  }
}

run "snapshots_that_stop_arriving_are_an_alert_per_instance" {
  command = plan

  assert {
    condition = alltrue([
      strcontains(google_logging_metric.snapshots_created.filter, "labels.audit=\"true\""),
      strcontains(google_logging_metric.snapshots_created.filter, "jsonPayload.audit.action=\"snapshot.created\""),
      strcontains(google_logging_metric.snapshots_created.filter, google_cloud_run_v2_job.backup.name),
    ])
    error_message = "The freshness metric must count the backup job's snapshot.created audit entries."
  }
  assert {
    condition     = google_logging_metric.snapshots_created.label_extractors["instance"] == "EXTRACT(labels.instance)"
    error_message = "The freshness metric must carry the instance of each snapshot."
  }
  assert {
    condition = alltrue([
      strcontains(google_monitoring_alert_policy.snapshots_stopped.conditions[0].condition_absent[0].filter, "logging.googleapis.com/user/${google_logging_metric.snapshots_created.name}"),
      google_monitoring_alert_policy.snapshots_stopped.conditions[0].condition_absent[0].duration == "84600s",
      contains(google_monitoring_alert_policy.snapshots_stopped.conditions[0].condition_absent[0].aggregations[0].group_by_fields, "metric.label.instance"),
    ])
    error_message = "The freshness alert must fire when one instance's snapshots stop for the window."
  }
  assert {
    condition     = length(google_cloud_run_v2_job.drill) == 0 && length(google_monitoring_alert_policy.drill_failures) == 0
    error_message = "The drill is off by default."
  }
}

run "a_window_longer_than_monitoring_allows_is_refused" {
  command = plan

  variables {
    freshness_window_minutes = 1560
  }
  expect_failures = [var.freshness_window_minutes]
}

run "a_scheduled_drill_only_reads_and_is_watched" {
  command = apply

  variables {
    drill_schedule = "0 6 * * 0"
  }

  assert {
    condition     = google_cloud_run_v2_job.drill[0].template[0].template[0].containers[0].command == tolist(["python", "-m", "lookervault.drill"])
    error_message = "The drill job runs the drill entry point of the job image."
  }
  assert {
    condition = (
      google_storage_bucket_iam_member.drill_reads_snapshots[0].role == "roles/storage.objectViewer"
      && google_storage_bucket_iam_member.drill_reads_snapshots[0].member == google_service_account.drill[0].member
    )
    error_message = "The drill reads snapshots and nothing more."
  }
  assert {
    condition     = length(google_monitoring_alert_policy.drill_failures) == 1
    error_message = "A failed drill is an alert."
  }
}
