# Copy to terraform.tfvars and fill in. Cloud Build passes job_image and function_bundle on every
# release; set them here only for a deploy by hand.

project_id = "acme-lookervault"
region     = "europe-west1"

# One entry per Looker instance; the key names its folder under snapshots/. The secrets hold the
# API3 client id and secret of a Looker admin user; pin the versions you created.
looker_instances = {
  prod = {
    base_url              = "https://acme.cloud.looker.com"
    client_id_secret      = "looker-prod-client-id"
    client_id_version     = "1"
    client_secret_secret  = "looker-prod-client-secret"
    client_secret_version = "1"
  }
}

# Who may use the snapshots from a laptop (`lookervault snapshot ...`, `backup run/status`).
snapshot_readers = ["group:looker-admins@acme.com"]
snapshot_admins  = ["group:looker-platform@acme.com"]
backup_operators = ["group:looker-platform@acme.com"]

# The account that runs terraform apply in Cloud Build.
deployer = "serviceAccount:lookervault-deployer@acme-lookervault.iam.gserviceaccount.com"

# Retention (docs/retention.md): the newest 7 always, one a day for a week, one a week for five
# weeks, one a month for a year; nothing younger than a day is ever deleted.
retention = {
  min_count    = 7
  min_age_days = 1
  keep_daily   = 7
  keep_weekly  = 5
  keep_monthly = 12
}

# Optional, each validated against the retention above:
# storage_class_steps       = [{ age_days = 30, storage_class = "NEARLINE" }, { age_days = 90, storage_class = "COLDLINE" }]
# lifecycle_delete_age_days = 800            # needs retention.max_age_days; off by default
# soft_delete_days          = 30             # 0 turns soft delete off (then set versioning = true)
# kms_key_name              = "projects/acme-kms/locations/europe-west1/keyRings/backups/cryptoKeys/lookervault"
# bucket_retention_days     = 1              # at most retention.min_age_days
# lock_bucket_retention     = false          # IRREVERSIBLE, see README
# schedule                  = "0 3 * * *"
# job_memory                = "2Gi"          # about twice the largest looker.db, plus 512Mi

# For a deploy by hand only (make function-bundle; an image pushed to the repository):
# job_image       = "europe-west1-docker.pkg.dev/acme-lookervault/lookervault/job:COMMIT_SHA"
# function_bundle = "../function-bundle.zip"
