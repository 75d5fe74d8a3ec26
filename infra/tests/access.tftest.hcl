# Least privilege: the job creates but cannot delete or overwrite, the function lists, reads and
# deletes and nothing more, the scheduler and the trigger may call their one target only.

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

run "job_creates_but_cannot_delete_or_overwrite" {
  command = apply

  assert {
    condition     = contains(google_project_iam_custom_role.job_writer.permissions, "storage.objects.create")
    error_message = "The job must be able to create snapshot objects."
  }
  assert {
    condition = length(setintersection(google_project_iam_custom_role.job_writer.permissions, [
      "storage.objects.delete", "storage.objects.update", "storage.objects.setRetention", "storage.objects.overrideUnlockedRetention",
    ])) == 0
    error_message = "The job's role must not delete, overwrite (which needs delete) or change snapshots."
  }
  assert {
    condition = (
      google_storage_bucket_iam_member.job_writes_snapshots.role == google_project_iam_custom_role.job_writer.id
      && google_storage_bucket_iam_member.job_writes_snapshots.member == google_service_account.job.member
      && google_storage_bucket_iam_member.job_writes_snapshots.bucket == google_storage_bucket.snapshots.name
    )
    error_message = "The job's service account holds the writer role on the snapshot bucket only."
  }
  assert {
    condition     = google_cloud_run_v2_job.backup.template[0].template[0].service_account == google_service_account.job.email
    error_message = "The job runs as its own service account, never the default compute account."
  }
}

run "function_lists_reads_and_deletes_only" {
  command = apply

  assert {
    condition     = toset(google_project_iam_custom_role.retention.permissions) == toset(["storage.objects.delete", "storage.objects.get", "storage.objects.list"])
    error_message = "The function's role is exactly list, get and delete on objects."
  }
  assert {
    condition = (
      google_storage_bucket_iam_member.function_prunes_snapshots.role == google_project_iam_custom_role.retention.id
      && google_storage_bucket_iam_member.function_prunes_snapshots.member == google_service_account.function.member
    )
    error_message = "The function's runtime account holds the retention role on the snapshot bucket."
  }
  assert {
    condition     = google_cloudfunctions2_function.retention.service_config[0].service_account_email == google_service_account.function.email
    error_message = "The function runs as its own service account."
  }
  assert {
    condition     = google_cloudfunctions2_function.retention.build_config[0].service_account == google_service_account.function_build.id
    error_message = "The function is built by its own build account, not the default compute account."
  }
}

run "scheduler_uses_an_oauth_token_and_may_run_the_job_only" {
  command = apply

  assert {
    condition     = length(google_cloud_scheduler_job.backup.http_target[0].oauth_token) == 1 && length(google_cloud_scheduler_job.backup.http_target[0].oidc_token) == 0
    error_message = "The scheduler calls a Google API: it must send an OAuth token, not OIDC."
  }
  assert {
    condition     = google_cloud_scheduler_job.backup.http_target[0].oauth_token[0].service_account_email == google_service_account.scheduler.email
    error_message = "The scheduler's token is its own service account's."
  }
  assert {
    condition     = google_cloud_scheduler_job.backup.http_target[0].uri == "https://run.googleapis.com/v2/projects/lv-test-project/locations/europe-west1/jobs/${google_cloud_run_v2_job.backup.name}:run"
    error_message = "The scheduler calls jobs.run of the backup job."
  }
  assert {
    condition = (
      google_cloud_run_v2_job_iam_member.scheduler_runs_job.name == google_cloud_run_v2_job.backup.name
      && google_cloud_run_v2_job_iam_member.scheduler_runs_job.role == "roles/run.invoker"
      && google_cloud_run_v2_job_iam_member.scheduler_runs_job.member == google_service_account.scheduler.member
    )
    error_message = "The scheduler's account holds run.invoker on the backup job."
  }
}

run "trigger_delivers_finalize_events_of_the_bucket" {
  command = apply

  assert {
    condition     = google_cloudfunctions2_function.retention.event_trigger[0].event_type == "google.cloud.storage.object.v1.finalized"
    error_message = "The function must fire on object finalize events."
  }
  assert {
    condition = (
      length(google_cloudfunctions2_function.retention.event_trigger[0].event_filters) == 1
      && google_cloudfunctions2_function.retention.event_trigger[0].event_filters[0].attribute == "bucket"
      && google_cloudfunctions2_function.retention.event_trigger[0].event_filters[0].value == google_storage_bucket.snapshots.name
    )
    error_message = "The trigger must filter on the snapshot bucket."
  }
  assert {
    condition     = google_cloudfunctions2_function.retention.event_trigger[0].retry_policy == "RETRY_POLICY_RETRY"
    error_message = "A failed invocation must be retried."
  }
  assert {
    condition     = google_cloudfunctions2_function.retention.service_config[0].ingress_settings == "ALLOW_INTERNAL_ONLY"
    error_message = "The function must accept internal traffic only."
  }
  assert {
    condition = (
      google_cloudfunctions2_function.retention.event_trigger[0].service_account_email == google_service_account.trigger.email
      && google_service_account.trigger.email != google_service_account.function.email
    )
    error_message = "Events are delivered by the trigger's own account, not the function's."
  }
  assert {
    condition = (
      google_cloud_run_v2_service_iam_member.trigger_invokes_function.name == google_cloudfunctions2_function.retention.service_config[0].service
      && google_cloud_run_v2_service_iam_member.trigger_invokes_function.role == "roles/run.invoker"
      && google_cloud_run_v2_service_iam_member.trigger_invokes_function.member == google_service_account.trigger.member
    )
    error_message = "The trigger's account may invoke the retention function's service only."
  }
  assert {
    condition     = google_project_iam_member.trigger_receives_events.role == "roles/eventarc.eventReceiver" && google_project_iam_member.trigger_receives_events.member == google_service_account.trigger.member
    error_message = "The trigger's account receives events."
  }
  assert {
    condition     = google_project_iam_member.gcs_publishes_events.role == "roles/pubsub.publisher" && google_project_iam_member.gcs_publishes_events.member == data.google_storage_project_service_account.gcs.member
    error_message = "The Cloud Storage service agent publishes the events."
  }
}

run "the_deployer_may_act_as_each_account_and_nothing_wider" {
  command = apply

  variables {
    deployer = "serviceAccount:deployer@lv-test-project.iam.gserviceaccount.com"
  }

  assert {
    condition = (
      toset(keys(google_service_account_iam_member.deployer_acts_as)) == toset(["job", "scheduler", "function", "trigger", "function_build"])
      && alltrue([for grant in values(google_service_account_iam_member.deployer_acts_as) : grant.role == "roles/iam.serviceAccountUser" && grant.member == var.deployer])
    )
    error_message = "The deployer acts as each LookerVault account, granted on that account."
  }
  assert {
    condition     = google_service_account_iam_member.deployer_acts_as["job"].service_account_id == google_service_account.job.name
    error_message = "The job account's grant is on the job account."
  }
}
