# The snapshot bucket is private and uniformly accessed, deletions stay recoverable, and the
# lifecycle rules never delete a snapshot the retention policy keeps.

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
}

run "bucket_is_private" {
  command = plan

  assert {
    condition     = google_storage_bucket.snapshots.public_access_prevention == "enforced"
    error_message = "The snapshot bucket must enforce public access prevention."
  }
  assert {
    condition     = google_storage_bucket.snapshots.uniform_bucket_level_access == true
    error_message = "The snapshot bucket must use uniform bucket-level access."
  }
  assert {
    condition     = google_storage_bucket.snapshots.force_destroy == false
    error_message = "The snapshot bucket must never be destroyed with its snapshots."
  }
  assert {
    condition     = google_storage_bucket.artifacts.public_access_prevention == "enforced" && google_storage_bucket.artifacts.uniform_bucket_level_access == true
    error_message = "The artifacts bucket must be private and uniform too."
  }
  assert {
    condition     = google_storage_bucket.snapshots.soft_delete_policy[0].retention_duration_seconds == 30 * 86400
    error_message = "Deleted snapshots must stay restorable (soft delete, 30 days by default)."
  }
}

run "readers_are_never_public" {
  command = plan

  variables {
    snapshot_readers = ["allUsers"]
  }

  expect_failures = [var.snapshot_readers]
}

run "default_lifecycle_moves_snapshots_and_deletes_none" {
  command = plan

  assert {
    condition     = length([for rule in google_storage_bucket.snapshots.lifecycle_rule : rule if rule.action[0].type == "Delete"]) == 0
    error_message = "By default no lifecycle rule may delete anything: the retention function decides."
  }
  assert {
    condition     = [for rule in google_storage_bucket.snapshots.lifecycle_rule : rule.action[0].storage_class if rule.action[0].type == "SetStorageClass"] == ["NEARLINE", "COLDLINE"]
    error_message = "The default storage class steps are NEARLINE, then COLDLINE."
  }
}

run "storage_class_steps_apply_to_snapshots_only" {
  command = apply

  assert {
    condition = alltrue([
      for rule in google_storage_bucket.snapshots.lifecycle_rule :
      rule.condition[0].matches_prefix == tolist([var.snapshot_prefix]) if rule.action[0].type == "SetStorageClass"
    ])
    error_message = "Storage class steps must apply to snapshots only."
  }
}

run "backstop_deletes_only_what_the_policy_no_longer_keeps" {
  command = plan

  variables {
    retention = {
      max_age_days = 400
      min_count    = 7
      keep_daily   = 7
      keep_weekly  = 5
      keep_monthly = 12
    }
    lifecycle_delete_age_days = 500
  }

  assert {
    condition = alltrue([
      for rule in google_storage_bucket.snapshots.lifecycle_rule :
      rule.condition[0].age > var.retention.max_age_days && rule.condition[0].age > 31 * (var.retention.keep_monthly + 1)
      if rule.action[0].type == "Delete"
    ])
    error_message = "A lifecycle deletion must come after max_age_days and after the longest keep rule."
  }
  assert {
    condition     = length([for rule in google_storage_bucket.snapshots.lifecycle_rule : rule if rule.action[0].type == "Delete"]) == 1
    error_message = "The backstop is one Delete rule."
  }
  assert {
    condition     = google_cloudfunctions2_function.retention.service_config[0].environment_variables["LOOKERVAULT_RETENTION_MAX_AGE_DAYS"] == "400"
    error_message = "The function must apply the max_age_days the lifecycle rule was checked against."
  }
}

run "backstop_before_max_age_is_refused" {
  command = plan

  variables {
    retention                 = { max_age_days = 400 }
    lifecycle_delete_age_days = 400
  }

  expect_failures = [var.lifecycle_delete_age_days]
}

run "backstop_within_a_keep_rule_is_refused" {
  command = plan

  variables {
    retention                 = { max_age_days = 400, keep_monthly = 12 }
    lifecycle_delete_age_days = 402
  }

  expect_failures = [var.lifecycle_delete_age_days]
}

run "backstop_without_max_age_is_refused" {
  command = plan

  variables {
    lifecycle_delete_age_days = 3650
  }

  expect_failures = [var.lifecycle_delete_age_days]
}

run "class_step_that_outlasts_max_age_is_refused" {
  command = plan

  variables {
    retention = { max_age_days = 120 }
    storage_class_steps = [
      { age_days = 30, storage_class = "NEARLINE" },
      { age_days = 60, storage_class = "COLDLINE" },
    ]
  }

  expect_failures = [var.storage_class_steps]
}

run "class_step_before_the_previous_minimum_is_refused" {
  command = plan

  variables {
    storage_class_steps = [
      { age_days = 30, storage_class = "COLDLINE" },
      { age_days = 60, storage_class = "ARCHIVE" },
    ]
  }

  expect_failures = [var.storage_class_steps]
}

run "bucket_retention_beyond_min_age_is_refused" {
  command = plan

  variables {
    bucket_retention_days = 30
  }

  expect_failures = [var.bucket_retention_days]
}

run "deletions_must_stay_recoverable" {
  command = plan

  variables {
    soft_delete_days = 0
  }

  expect_failures = [var.versioning]
}
