# The retention function (Cloud Functions 2nd gen): fired by each new object in the snapshot
# bucket, it applies the retention policy to that snapshot's instance folder. Three accounts of
# its own: one runs it (list, read, delete snapshots), one delivers events to it (and may invoke
# this function only), one builds it (writes its image, reads its source).

resource "google_service_account" "function" {
  project      = var.project_id
  account_id   = "${var.name}-retention"
  display_name = "LookerVault retention function"
  description  = "Runs the retention function: lists, reads and deletes snapshots."
}

resource "google_service_account" "trigger" {
  project      = var.project_id
  account_id   = "${var.name}-trigger"
  display_name = "LookerVault retention trigger"
  description  = "Delivers object-finalized events to the retention function; may invoke it only."
}

resource "google_service_account" "function_build" {
  project      = var.project_id
  account_id   = "${var.name}-fn-build"
  display_name = "LookerVault retention function build"
  description  = "Builds the retention function: reads its source, writes its image."
}

# Exactly what lookervault.retention uses: list the folder, re-read an object, delete it.
resource "google_project_iam_custom_role" "retention" {
  project     = var.project_id
  role_id     = "${local.role_prefix}_retention"
  title       = "LookerVault retention"
  description = "List, read and delete snapshot objects (generation preconditions on every delete)."
  permissions = ["storage.objects.delete", "storage.objects.get", "storage.objects.list"]
}

resource "google_storage_bucket_iam_member" "function_prunes_snapshots" {
  bucket = google_storage_bucket.snapshots.name
  role   = google_project_iam_custom_role.retention.id
  member = google_service_account.function.member
}

# Eventarc grants event receipt per project: this role has no narrower scope.
resource "google_project_iam_member" "trigger_receives_events" {
  project = var.project_id
  role    = "roles/eventarc.eventReceiver"
  member  = google_service_account.trigger.member
}

# A 2nd gen function is served by a Cloud Run service of the same name: invoker on it alone.
resource "google_cloud_run_v2_service_iam_member" "trigger_invokes_function" {
  project  = var.project_id
  location = var.region
  name     = google_cloudfunctions2_function.retention.service_config[0].service
  role     = "roles/run.invoker"
  member   = google_service_account.trigger.member
}

# Cloud Storage publishes its object events through Pub/Sub as its service agent.
resource "google_project_iam_member" "gcs_publishes_events" {
  project = var.project_id
  role    = "roles/pubsub.publisher"
  member  = data.google_storage_project_service_account.gcs.member
}

resource "google_project_iam_member" "function_build_writes_logs" {
  project = var.project_id
  role    = "roles/logging.logWriter"
  member  = google_service_account.function_build.member
}

resource "google_artifact_registry_repository_iam_member" "function_build_pushes_image" {
  project    = var.project_id
  location   = var.region
  repository = google_artifact_registry_repository.function_images.name
  role       = "roles/artifactregistry.writer"
  member     = google_service_account.function_build.member
}

resource "google_storage_bucket_iam_member" "function_build_reads_source" {
  bucket = google_storage_bucket.artifacts.name
  role   = "roles/storage.objectViewer"
  member = google_service_account.function_build.member
}

# Named by its content: a new bundle is a new object, and the function redeploys from it.
resource "google_storage_bucket_object" "function_source" {
  bucket       = google_storage_bucket.artifacts.name
  name         = "retention/${filemd5(var.function_bundle)}.zip"
  source       = var.function_bundle
  content_type = "application/zip"
}

resource "google_cloudfunctions2_function" "retention" {
  project     = var.project_id
  name        = local.function_name
  location    = var.region
  description = "LookerVault retention: applies the retention policy after each new snapshot"
  labels      = local.labels

  build_config {
    runtime           = var.function_runtime
    entry_point       = "on_object_finalized"
    service_account   = google_service_account.function_build.id
    docker_repository = google_artifact_registry_repository.function_images.id

    source {
      storage_source {
        bucket = google_storage_bucket.artifacts.name
        object = google_storage_bucket_object.function_source.name
      }
    }
  }

  service_config {
    service_account_email            = google_service_account.function.email
    ingress_settings                 = "ALLOW_INTERNAL_ONLY"
    all_traffic_on_latest_revision   = true
    available_memory                 = "512M"
    timeout_seconds                  = 120
    max_instance_count               = var.function_max_instances
    max_instance_request_concurrency = 1
    # The same values that shape the lifecycle rules (main.tf): one source for both.
    environment_variables = merge(local.naming_env, local.retention_env, {
      LOOKERVAULT_PROJECT = var.project_id
    })
  }

  event_trigger {
    trigger_region        = lower(local.bucket_location)
    event_type            = "google.cloud.storage.object.v1.finalized"
    retry_policy          = "RETRY_POLICY_RETRY"
    service_account_email = google_service_account.trigger.email

    event_filters {
      attribute = "bucket"
      value     = google_storage_bucket.snapshots.name
    }
  }

  depends_on = [
    google_project_service.enabled,
    google_project_iam_member.gcs_publishes_events,
    google_project_iam_member.trigger_receives_events,
    google_project_iam_member.function_build_writes_logs,
    google_artifact_registry_repository_iam_member.function_build_pushes_image,
    google_storage_bucket_iam_member.function_build_reads_source,
    google_service_account_iam_member.deployer_acts_as,
  ]
}
