# The snapshot bucket: private, uniformly accessed, deletions recoverable, lifecycle rules that
# only save cost and never delete what the retention policy keeps.

data "google_storage_project_service_account" "gcs" {
  project = var.project_id
}

resource "google_storage_bucket" "snapshots" {
  # checkov:skip=CKV_GCP_62:Reads and writes are recorded by Cloud Audit Logs Data Access logs (logging.tf, var.storage_data_access_logs), which supersede legacy usage logs into a second bucket.
  # checkov:skip=CKV_GCP_78:Recovery of deleted snapshots is soft delete by default (var.soft_delete_days); versioning is opt-in (var.versioning) and one of the two is enforced by validation.
  name                        = local.bucket_name
  project                     = var.project_id
  location                    = local.bucket_location
  storage_class               = "STANDARD"
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = false
  labels                      = local.labels

  soft_delete_policy {
    retention_duration_seconds = var.soft_delete_days * 86400
  }

  versioning {
    enabled = var.versioning
  }

  dynamic "encryption" {
    for_each = var.kms_key_name == null ? [] : [var.kms_key_name]
    content {
      default_kms_key_name = encryption.value
    }
  }

  dynamic "retention_policy" {
    for_each = var.bucket_retention_days == null ? [] : [var.bucket_retention_days]
    content {
      retention_period = tostring(retention_policy.value * 86400)
      is_locked        = var.lock_bucket_retention
    }
  }

  # Colder classes as snapshots age; each step only moves what the previous step moved.
  dynamic "lifecycle_rule" {
    for_each = var.storage_class_steps
    content {
      condition {
        age                   = lifecycle_rule.value.age_days
        matches_prefix        = [var.snapshot_prefix]
        matches_storage_class = [lifecycle_rule.key == 0 ? "STANDARD" : var.storage_class_steps[lifecycle_rule.key - 1].storage_class]
      }
      action {
        type          = "SetStorageClass"
        storage_class = lifecycle_rule.value.storage_class
      }
    }
  }

  # Optional backstop, off by default; its age is validated against the retention policy.
  # Protected snapshots carry a temporary hold, which lifecycle deletion does not override.
  dynamic "lifecycle_rule" {
    for_each = var.lifecycle_delete_age_days == null ? [] : [var.lifecycle_delete_age_days]
    content {
      condition {
        age            = lifecycle_rule.value
        matches_prefix = [var.snapshot_prefix]
      }
      action {
        type = "Delete"
      }
    }
  }

  # With versioning, a deleted snapshot stays as a noncurrent version for a while, then goes.
  dynamic "lifecycle_rule" {
    for_each = var.versioning ? [var.noncurrent_days] : []
    content {
      condition {
        days_since_noncurrent_time = lifecycle_rule.value
        with_state                 = "ARCHIVED"
      }
      action {
        type = "Delete"
      }
    }
  }

  # Parts of XML multipart uploads never completed (an interrupted `gcloud storage cp` of a large
  # file by an admin). LookerVault's own resumable uploads leave nothing when they fail.
  lifecycle_rule {
    condition {
      age = 7
    }
    action {
      type = "AbortIncompleteMultipartUpload"
    }
  }

  depends_on = [
    google_project_service.enabled,
    google_kms_crypto_key_iam_member.gcs_uses_key,
  ]
}

# The Cloud Storage service agent encrypts with the customer-managed key, when there is one.
resource "google_kms_crypto_key_iam_member" "gcs_uses_key" {
  count = var.kms_key_name == null ? 0 : 1

  crypto_key_id = var.kms_key_name
  role          = "roles/cloudkms.cryptoKeyEncrypterDecrypter"
  member        = data.google_storage_project_service_account.gcs.member
}

# Deployment artifacts (the function's source zip), apart from the snapshots so that nothing in
# the snapshot bucket fires the function or mixes with backups.
resource "google_storage_bucket" "artifacts" {
  # checkov:skip=CKV_GCP_62:Holds only function source zips built from the repository; reads and writes are recorded by Data Access audit logs (logging.tf).
  name                        = "${var.project_id}-${var.name}-artifacts"
  project                     = var.project_id
  location                    = upper(var.region)
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = false
  labels                      = local.labels

  versioning {
    enabled = true
  }

  lifecycle_rule {
    condition {
      num_newer_versions = 3
      with_state         = "ARCHIVED"
    }
    action {
      type = "Delete"
    }
  }

  depends_on = [google_project_service.enabled]
}
