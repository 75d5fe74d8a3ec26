# The backup job: one Cloud Run task per Looker instance, its own service account, credentials
# from Secret Manager at pinned versions, and write access that cannot delete or overwrite.

locals {
  # Per instance, the environment variables that carry its credentials into the task.
  credential_env_names = {
    for name in keys(var.looker_instances) : name => {
      client_id     = "LOOKER_${upper(replace(name, "-", "_"))}_CLIENT_ID"
      client_secret = "LOOKER_${upper(replace(name, "-", "_"))}_CLIENT_SECRET"
    }
  }

  # LOOKERVAULT_INSTANCES: names and URLs only; it points at the variables above.
  instances_json = jsonencode([
    for name, instance in var.looker_instances : {
      name              = name
      base_url          = instance.base_url
      client_id_env     = local.credential_env_names[name].client_id
      client_secret_env = local.credential_env_names[name].client_secret
      verify_ssl        = instance.verify_ssl
    }
  ])

  job_env = merge(local.naming_env, {
    LOOKERVAULT_BUCKET            = google_storage_bucket.snapshots.name
    LOOKERVAULT_PROJECT           = var.project_id
    LOOKERVAULT_WORK_DIR          = "/tmp"
    LOOKERVAULT_WORKERS           = tostring(var.job_workers)
    LOOKERVAULT_COMPRESSION_LEVEL = tostring(var.compression_level)
    LOOKERVAULT_INSTANCES         = local.instances_json
  })

  credential_env = flatten([
    for name, instance in var.looker_instances : [
      {
        name    = local.credential_env_names[name].client_id
        secret  = instance.client_id_secret
        version = instance.client_id_version
      },
      {
        name    = local.credential_env_names[name].client_secret
        secret  = instance.client_secret_secret
        version = instance.client_secret_version
      },
    ]
  ])

  job_secrets = toset([for credential in local.credential_env : credential.secret])
}

resource "google_service_account" "job" {
  project      = var.project_id
  account_id   = "${var.name}-job"
  display_name = "LookerVault backup job"
  description  = "Runs the backup job: reads Looker credentials, creates snapshots; cannot delete them."
}

# Create and read back, nothing else. Without storage.objects.delete the job can neither delete
# a snapshot nor overwrite one (replacing an object needs delete too), so a compromised job
# cannot destroy backups. Why that is safe for uploads: infra/README.md, "The job cannot delete".
resource "google_project_iam_custom_role" "job_writer" {
  project     = var.project_id
  role_id     = "${local.role_prefix}_backup_writer"
  title       = "LookerVault backup writer"
  description = "Create snapshot objects and read them back; no delete, so no overwrite."
  permissions = ["storage.objects.create", "storage.objects.get"]
}

resource "google_storage_bucket_iam_member" "job_writes_snapshots" {
  bucket = google_storage_bucket.snapshots.name
  role   = google_project_iam_custom_role.job_writer.id
  member = google_service_account.job.member
}

resource "google_secret_manager_secret_iam_member" "job_reads_credentials" {
  for_each = local.job_secrets

  project   = var.project_id
  secret_id = each.value
  role      = "roles/secretmanager.secretAccessor"
  member    = google_service_account.job.member
}

resource "google_cloud_run_v2_job" "backup" {
  project             = var.project_id
  name                = local.job_name
  location            = var.region
  deletion_protection = var.deletion_protection
  labels              = local.labels

  template {
    # Task i backs up instance i (the job takes every COUNT-th instance from INDEX).
    task_count  = length(var.looker_instances)
    parallelism = length(var.looker_instances)

    template {
      service_account       = google_service_account.job.email
      timeout               = "${var.job_timeout_seconds}s"
      max_retries           = var.job_max_retries
      execution_environment = "EXECUTION_ENVIRONMENT_GEN2"

      containers {
        image = var.job_image

        resources {
          limits = {
            cpu    = var.job_cpu
            memory = var.job_memory
          }
        }

        dynamic "env" {
          for_each = local.job_env
          content {
            name  = env.key
            value = env.value
          }
        }

        dynamic "env" {
          for_each = local.credential_env
          content {
            name = env.value.name
            value_source {
              secret_key_ref {
                secret  = env.value.secret
                version = env.value.version
              }
            }
          }
        }
      }
    }
  }

  depends_on = [
    google_project_service.enabled,
    google_secret_manager_secret_iam_member.job_reads_credentials,
    google_storage_bucket_iam_member.job_writes_snapshots,
    google_service_account_iam_member.deployer_acts_as,
  ]
}
