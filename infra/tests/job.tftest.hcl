# The job: one task per instance, non-secret settings as plain environment, Looker credentials
# only as Secret Manager references at pinned versions.

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
    apac-prod = {
      base_url              = "https://apac.looker.example.com"
      client_id_secret      = "looker-apac-client-id"
      client_id_version     = "3"
      client_secret_secret  = "looker-apac-client-secret"
      client_secret_version = "4"
      verify_ssl            = true
    }
  }
}

run "credentials_come_from_secret_manager_only" {
  command = plan

  assert {
    condition = alltrue(flatten([
      for instance in jsondecode([for env in google_cloud_run_v2_job.backup.template[0].template[0].containers[0].env : env.value if env.name == "LOOKERVAULT_INSTANCES"][0]) : [
        for name in [instance.client_id_env, instance.client_secret_env] : length([
          for env in google_cloud_run_v2_job.backup.template[0].template[0].containers[0].env : env
          if env.name == name && length(env.value_source) == 1 && can(regex("^[1-9][0-9]*$", env.value_source[0].secret_key_ref[0].version))
        ]) == 1
      ]
    ]))
    error_message = "Every credential variable named in LOOKERVAULT_INSTANCES must be a secret_key_ref at a pinned version."
  }
  assert {
    condition = length(setintersection(
      toset([for env in google_cloud_run_v2_job.backup.template[0].template[0].containers[0].env : env.name if length(env.value_source) == 0]),
      toset(flatten([for instance in values(local.credential_env_names) : [instance.client_id, instance.client_secret]])),
    )) == 0
    error_message = "No Looker credential may be a plain environment value."
  }
  assert {
    condition = toset([
      for env in google_cloud_run_v2_job.backup.template[0].template[0].containers[0].env : "${env.value_source[0].secret_key_ref[0].secret}@${env.value_source[0].secret_key_ref[0].version}"
      if length(env.value_source) == 1
      ]) == toset([
      "looker-emea-client-id@1", "looker-emea-client-secret@2", "looker-apac-client-id@3", "looker-apac-client-secret@4",
    ])
    error_message = "The job reads exactly the configured secrets at their pinned versions."
  }
  assert {
    condition     = toset(keys(google_secret_manager_secret_iam_member.job_reads_credentials)) == toset(["looker-emea-client-id", "looker-emea-client-secret", "looker-apac-client-id", "looker-apac-client-secret"])
    error_message = "The job's account may read exactly the configured secrets."
  }
}

run "one_task_per_instance_with_the_settings_the_job_reads" {
  command = plan

  assert {
    condition     = google_cloud_run_v2_job.backup.template[0].task_count == 2
    error_message = "One task per configured Looker instance."
  }
  assert {
    condition     = [for instance in jsondecode([for env in google_cloud_run_v2_job.backup.template[0].template[0].containers[0].env : env.value if env.name == "LOOKERVAULT_INSTANCES"][0]) : instance.name] == ["apac-prod", "emea"]
    error_message = "LOOKERVAULT_INSTANCES names every instance."
  }
  assert {
    condition = toset([for env in google_cloud_run_v2_job.backup.template[0].template[0].containers[0].env : env.name if length(env.value_source) == 0]) == toset([
      "LOOKERVAULT_BUCKET", "LOOKERVAULT_PROJECT", "LOOKERVAULT_PREFIX", "LOOKERVAULT_FILENAME_PREFIX", "LOOKERVAULT_WORK_DIR",
      "LOOKERVAULT_WORKERS", "LOOKERVAULT_COMPRESSION_LEVEL", "LOOKERVAULT_INSTANCES",
    ])
    error_message = "The job's plain settings are exactly the LOOKERVAULT_* it reads."
  }
  assert {
    condition     = google_cloud_run_v2_job.backup.template[0].template[0].containers[0].image == var.job_image
    error_message = "The job runs the image Terraform was given."
  }
}

run "latest_is_not_a_release" {
  command = plan

  variables {
    job_image = "europe-west1-docker.pkg.dev/lv-test-project/lookervault/job:latest"
  }

  expect_failures = [var.job_image]
}

run "unpinned_secret_versions_are_refused" {
  command = plan

  variables {
    looker_instances = {
      emea = {
        base_url              = "https://emea.looker.example.com"
        client_id_secret      = "looker-emea-client-id"
        client_id_version     = "latest"
        client_secret_secret  = "looker-emea-client-secret"
        client_secret_version = "2"
      }
    }
  }

  expect_failures = [var.looker_instances]
}
