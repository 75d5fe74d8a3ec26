# What a deployment must set: project_id, job_image, function_bundle, looker_instances.
# Everything else has a default that is safe to apply.

variable "project_id" {
  description = "Project that holds everything LookerVault deploys."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.project_id))
    error_message = "project_id must be a Google Cloud project id (6-30 lower-case letters, digits, '-')."
  }
}

variable "region" {
  description = "Region of the job, the scheduler, the function, the image repository and the audit log bucket."
  type        = string
  default     = "europe-west1"

  validation {
    condition     = can(regex("^[a-z]+-[a-z]+[0-9]+$", var.region))
    error_message = "region must be a Google Cloud region such as europe-west1."
  }
}

variable "name" {
  description = "Prefix of every resource name. The job is \"<name>-backup\": with the default, the CLI's default LOOKERVAULT_JOB."
  type        = string
  default     = "lookervault"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,18}[a-z0-9]$", var.name))
    error_message = "name must be 3-20 lower-case letters, digits or '-' (service account ids are built from it)."
  }
}

variable "labels" {
  description = "Labels added to every resource that takes labels."
  type        = map(string)
  default     = {}
}

# --- What is deployed (Cloud Build passes both on every release) -------------------------------

variable "job_image" {
  description = "The job image, by commit tag or digest: REGION-docker.pkg.dev/PROJECT/REPO/job:COMMIT_SHA."
  type        = string

  validation {
    condition = (
      can(regex("(@sha256:[0-9a-f]{64}|:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})$", var.job_image))
      && !endswith(var.job_image, ":latest")
    )
    error_message = "job_image must name an exact build (a commit tag or an @sha256 digest), never :latest or no tag."
  }
}

variable "function_bundle" {
  description = "Path of function-bundle.zip, written by `make function-bundle` at the repository root."
  type        = string

  validation {
    condition     = endswith(var.function_bundle, ".zip") && fileexists(var.function_bundle)
    error_message = "function_bundle must be an existing .zip file: run `make function-bundle` and pass ../function-bundle.zip."
  }
}

# --- Looker ------------------------------------------------------------------------------------

variable "looker_instances" {
  description = <<-EOT
    The Looker instances to back up, by instance name (the folder under the snapshot prefix). Each
    names the Secret Manager secrets holding its API3 client id and secret, with pinned version
    numbers: the job reads exactly these versions, and rotating means adding a version and
    applying again. The secret values never pass through Terraform.
  EOT
  type = map(object({
    base_url              = string
    client_id_secret      = string
    client_id_version     = string
    client_secret_secret  = string
    client_secret_version = string
    verify_ssl            = optional(bool, true)
  }))

  validation {
    condition     = length(var.looker_instances) > 0
    error_message = "looker_instances must name at least one Looker instance."
  }
  validation {
    condition     = alltrue([for name in keys(var.looker_instances) : can(regex("^[a-z0-9][a-z0-9_-]{0,62}$", name))])
    error_message = "Each looker_instances key must be a short slug: lower-case letters, digits, '-' or '_'."
  }
  validation {
    condition = (
      length(distinct([for name in keys(var.looker_instances) : upper(replace(name, "-", "_"))]))
      == length(var.looker_instances)
    )
    error_message = "Two looker_instances keys differ only by '-' and '_'; their credential variables would collide."
  }
  validation {
    condition     = alltrue([for instance in values(var.looker_instances) : startswith(instance.base_url, "https://")])
    error_message = "Each Looker base_url must start with https://."
  }
  validation {
    condition = alltrue(flatten([
      for instance in values(var.looker_instances) :
      [can(regex("^[1-9][0-9]*$", instance.client_id_version)), can(regex("^[1-9][0-9]*$", instance.client_secret_version))]
    ]))
    error_message = "Secret versions must be pinned version numbers (\"3\"), never \"latest\"."
  }
}

# --- The backup job and its schedule ----------------------------------------------------------

variable "schedule" {
  description = "When backups run (cron, in time_zone)."
  type        = string
  default     = "0 3 * * *"
}

variable "time_zone" {
  description = "Time zone of the schedule (tz database name)."
  type        = string
  default     = "Etc/UTC"
}

variable "job_cpu" {
  description = "vCPUs per task. Cloud Run needs 2 or more above 4Gi of memory."
  type        = string
  default     = "1"
}

variable "job_memory" {
  description = <<-EOT
    Memory per task. A task's disk is memory too: it holds the extracted SQLite database while
    it is uploaded, so size it at about twice the largest database plus 512Mi.
  EOT
  type        = string
  default     = "2Gi"

  validation {
    condition     = can(regex("^[0-9]+(Mi|Gi)$", var.job_memory))
    error_message = "job_memory must be a size such as 512Mi or 4Gi."
  }
}

variable "job_timeout_seconds" {
  description = "How long one task may run before Cloud Run stops it."
  type        = number
  default     = 3600

  validation {
    condition     = var.job_timeout_seconds >= 60 && var.job_timeout_seconds <= 86400
    error_message = "job_timeout_seconds must be between 60 and 86400."
  }
}

variable "job_max_retries" {
  description = "Retries of a failed task. A retry starts clean and never overwrites: uploads are create-only."
  type        = number
  default     = 2

  validation {
    condition     = var.job_max_retries >= 0 && var.job_max_retries <= 10
    error_message = "job_max_retries must be between 0 and 10."
  }
}

variable "job_workers" {
  description = "Parallel Looker API workers per task (LOOKERVAULT_WORKERS)."
  type        = number
  default     = 8

  validation {
    condition     = var.job_workers >= 1 && var.job_workers <= 64
    error_message = "job_workers must be between 1 and 64."
  }
}

variable "compression_level" {
  description = "gzip level of snapshots (LOOKERVAULT_COMPRESSION_LEVEL)."
  type        = number
  default     = 6

  validation {
    condition     = var.compression_level >= 1 && var.compression_level <= 9
    error_message = "compression_level must be between 1 and 9."
  }
}

# --- Snapshot names and retention (one source for the function and the lifecycle rules) --------

variable "snapshot_prefix" {
  description = "Folder of all snapshots in the bucket (LOOKERVAULT_PREFIX)."
  type        = string
  default     = "snapshots/"

  validation {
    condition     = can(regex("^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*/$", var.snapshot_prefix))
    error_message = "snapshot_prefix must be a folder ending in '/', without a leading '/' (\"snapshots/\")."
  }
}

variable "filename_prefix" {
  description = "Start of every snapshot file name (LOOKERVAULT_FILENAME_PREFIX)."
  type        = string
  default     = "looker"

  validation {
    condition     = can(regex("^[A-Za-z0-9._-]+$", var.filename_prefix))
    error_message = "filename_prefix must be letters, digits, '.', '_' or '-'."
  }
}

variable "retention" {
  description = <<-EOT
    The retention policy the function applies after every new snapshot (docs/retention.md).
    A snapshot is deleted only if no rule keeps it; protected snapshots are always kept.
    max_age_days = null turns age-based deletion off.
  EOT
  type = object({
    max_age_days = optional(number)
    min_count    = optional(number, 5)
    min_age_days = optional(number, 0)
    keep_daily   = optional(number, 0)
    keep_weekly  = optional(number, 0)
    keep_monthly = optional(number, 0)
  })
  default = {
    min_count    = 7
    min_age_days = 1
    keep_daily   = 7
    keep_weekly  = 5
    keep_monthly = 12
  }

  validation {
    condition     = var.retention.min_count >= 1 && floor(var.retention.min_count) == var.retention.min_count
    error_message = "retention.min_count must be a whole number, at least 1."
  }
  validation {
    condition = alltrue([
      for count in [var.retention.keep_daily, var.retention.keep_weekly, var.retention.keep_monthly] :
      count >= 0 && floor(count) == count
    ])
    error_message = "retention.keep_daily, keep_weekly and keep_monthly must be whole numbers, 0 or more."
  }
  validation {
    condition     = var.retention.min_age_days >= 0 && (var.retention.max_age_days == null ? true : var.retention.max_age_days >= var.retention.min_age_days)
    error_message = "retention.min_age_days must be 0 or more and not above retention.max_age_days."
  }
}

variable "storage_class_steps" {
  description = <<-EOT
    Lifecycle moves of snapshots to colder classes, by age in days, coldest last. Each class is
    kept at least its minimum storage duration (NEARLINE 30, COLDLINE 90, ARCHIVE 365 days)
    before the next step and, when retention.max_age_days is set, before that age. Restoring from
    a colder class costs retrieval fees.
  EOT
  type = list(object({
    age_days      = number
    storage_class = string
  }))
  default = [
    { age_days = 30, storage_class = "NEARLINE" },
    { age_days = 90, storage_class = "COLDLINE" },
  ]

  validation {
    condition     = alltrue([for step in var.storage_class_steps : contains(["NEARLINE", "COLDLINE", "ARCHIVE"], step.storage_class) && step.age_days >= 1])
    error_message = "Each storage_class_steps entry needs storage_class NEARLINE, COLDLINE or ARCHIVE and age_days of 1 or more."
  }
  validation {
    condition = alltrue([
      for i in range(1, length(var.storage_class_steps)) :
      lookup(local.class_rank, var.storage_class_steps[i].storage_class, 0) > lookup(local.class_rank, var.storage_class_steps[i - 1].storage_class, 0)
      && var.storage_class_steps[i].age_days >= var.storage_class_steps[i - 1].age_days + lookup(local.minimum_storage_days, var.storage_class_steps[i - 1].storage_class, 0)
    ])
    error_message = "storage_class_steps must go colder step by step, each at least the previous class's minimum storage duration after the previous step."
  }
  validation {
    condition = var.retention.max_age_days == null ? true : alltrue([
      for step in var.storage_class_steps :
      step.age_days + lookup(local.minimum_storage_days, step.storage_class, 0) <= var.retention.max_age_days
    ])
    error_message = "A storage_class_steps entry moves snapshots to a class whose minimum storage duration outlasts retention.max_age_days: they would be deleted early and billed anyway."
  }
}

variable "lifecycle_delete_age_days" {
  description = <<-EOT
    Optional cost backstop: a lifecycle rule deleting snapshots older than this many days, even
    if the function never ran. It must exceed retention.max_age_days and the oldest snapshot a
    keep rule can keep, so it never deletes what the policy keeps; protected snapshots carry a
    hold that lifecycle deletion cannot remove. Off (null) by default: min_count keeps the newest
    snapshots at any age, and a backstop would delete them if backups stopped for this long.
  EOT
  type        = number
  default     = null

  validation {
    condition = (
      var.lifecycle_delete_age_days == null ? true :
      var.retention.max_age_days == null ? false :
      var.lifecycle_delete_age_days > max(
        var.retention.max_age_days,
        var.retention.keep_daily + 1,
        7 * (var.retention.keep_weekly + 1),
        31 * (var.retention.keep_monthly + 1),
      )
    )
    error_message = "lifecycle_delete_age_days needs retention.max_age_days set, and must exceed it and the longest keep_daily/keep_weekly/keep_monthly horizon (days + 1, 7 x (weeks + 1), 31 x (months + 1))."
  }
}

# --- The bucket -------------------------------------------------------------------------------

variable "bucket_name" {
  description = "Snapshot bucket name; default \"<project_id>-<name>-snapshots\"."
  type        = string
  default     = null
}

variable "bucket_location" {
  description = "Location of the snapshot bucket (a region, dual- or multi-region); default: region."
  type        = string
  default     = null
}

variable "soft_delete_days" {
  description = "Days a deleted snapshot stays restorable (soft delete); 0 turns it off, otherwise 7 to 90."
  type        = number
  default     = 30

  validation {
    condition     = var.soft_delete_days == 0 || (var.soft_delete_days >= 7 && var.soft_delete_days <= 90)
    error_message = "soft_delete_days must be 0 or between 7 and 90."
  }
}

variable "versioning" {
  description = "Keep deleted snapshots as noncurrent versions for noncurrent_days (instead of, or as well as, soft delete)."
  type        = bool
  default     = false

  validation {
    condition     = var.versioning || var.soft_delete_days > 0
    error_message = "Turn on soft delete (soft_delete_days) or versioning: a deleted snapshot must stay recoverable for a while."
  }
}

variable "noncurrent_days" {
  description = "With versioning, days a noncurrent (deleted) snapshot version is kept."
  type        = number
  default     = 30

  validation {
    condition     = var.noncurrent_days >= 1
    error_message = "noncurrent_days must be 1 or more."
  }
}

variable "kms_key_name" {
  description = "Optional CMEK for the snapshot bucket: projects/P/locations/L/keyRings/R/cryptoKeys/K, in the bucket's location."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_name == null ? true : can(regex("^projects/[^/]+/locations/[^/]+/keyRings/[^/]+/cryptoKeys/[^/]+$", var.kms_key_name))
    error_message = "kms_key_name must be a full crypto key name: projects/P/locations/L/keyRings/R/cryptoKeys/K."
  }
}

variable "bucket_retention_days" {
  description = "Optional bucket retention policy: no snapshot can be deleted before this age, by anyone."
  type        = number
  default     = null

  validation {
    condition = var.bucket_retention_days == null ? true : (
      var.bucket_retention_days >= 1 && var.retention.min_age_days >= var.bucket_retention_days
    )
    error_message = "bucket_retention_days must be 1 or more and not above retention.min_age_days, or the function would keep failing to delete what the bucket protects."
  }
}

variable "lock_bucket_retention" {
  description = <<-EOT
    WARNING: IRREVERSIBLE. Locks the bucket retention policy: it can never be removed or
    shortened, and the bucket cannot be deleted until every object in it has reached
    bucket_retention_days. Only for a compliance requirement you have confirmed.
  EOT
  type        = bool
  default     = false

  validation {
    condition     = !var.lock_bucket_retention || var.bucket_retention_days != null
    error_message = "lock_bucket_retention needs bucket_retention_days."
  }
}

# --- Who may use the snapshots ----------------------------------------------------------------

variable "snapshot_readers" {
  description = "Members who list and download snapshots with the CLI (user:, group:, serviceAccount:, domain:)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for member in var.snapshot_readers : can(regex("^(user|group|serviceAccount|domain):.+", member))])
    error_message = "snapshot_readers must be user:, group:, serviceAccount: or domain: members; never allUsers or allAuthenticatedUsers."
  }
}

variable "snapshot_admins" {
  description = "Members who may also upload, protect, unprotect and delete snapshots with the CLI."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for member in var.snapshot_admins : can(regex("^(user|group|serviceAccount|domain):.+", member))])
    error_message = "snapshot_admins must be user:, group:, serviceAccount: or domain: members; never allUsers or allAuthenticatedUsers."
  }
}

variable "backup_operators" {
  description = "Members who may start the job and read its executions (`lookervault backup run/status`)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for member in var.backup_operators : can(regex("^(user|group|serviceAccount|domain):.+", member))])
    error_message = "backup_operators must be user:, group:, serviceAccount: or domain: members."
  }
}

# --- Function, images, logs -------------------------------------------------------------------

variable "function_runtime" {
  description = "Cloud Functions Python runtime of the retention function."
  type        = string
  default     = "python312"
}

variable "function_max_instances" {
  description = "Most concurrent retention function instances (events for one folder are safe together)."
  type        = number
  default     = 3
}

variable "images_to_keep" {
  description = "Most recent job and function images the registry keeps; older ones are cleaned up."
  type        = number
  default     = 10
}

variable "audit_log_retention_days" {
  description = "Days the audit log bucket keeps LookerVault's audit entries."
  type        = number
  default     = 400

  validation {
    condition     = var.audit_log_retention_days >= 1 && var.audit_log_retention_days <= 3650
    error_message = "audit_log_retention_days must be between 1 and 3650."
  }
}

variable "deletion_protection" {
  description = "Refuse to destroy the job (and, through Terraform, the non-empty bucket)."
  type        = bool
  default     = true
}

variable "storage_data_access_logs" {
  description = <<-EOT
    Record every read and write of snapshot objects in Cloud Audit Logs (Data Access logs for
    Cloud Storage). This sets the project's audit configuration for storage.googleapis.com,
    for all of its buckets: turn it off if that configuration is managed elsewhere.
  EOT
  type        = bool
  default     = true
}

variable "deployer" {
  description = <<-EOT
    The member that runs terraform apply (the Cloud Build deployer account). It gets
    roles/iam.serviceAccountUser on each LookerVault service account, which deploying the job,
    the schedule and the function needs, instead of on the whole project.
  EOT
  type        = string
  default     = null

  validation {
    condition     = var.deployer == null ? true : can(regex("^(user|group|serviceAccount):.+", var.deployer))
    error_message = "deployer must be a user:, group: or serviceAccount: member."
  }
}

# --- Knowing when backups stop ------------------------------------------------------------------

variable "notification_channels" {
  description = "Cloud Monitoring notification channel ids (projects/P/notificationChannels/N) the alerts go to."
  type        = list(string)
  default     = []
}

variable "freshness_window_minutes" {
  description = <<-EOT
    Alert when an instance has had no new snapshot for this long. Cloud Monitoring's metric
    absence allows at most 23.5 hours (1410 minutes), so schedule backups more often than
    that (every 6, 8 or 12 hours) or check freshness from your own monitoring with
    `lookervault backup status --max-age`.
  EOT
  type        = number
  default     = 1410

  validation {
    condition     = var.freshness_window_minutes >= 5 && var.freshness_window_minutes <= 1410 && floor(var.freshness_window_minutes) == var.freshness_window_minutes
    error_message = "freshness_window_minutes must be whole minutes between 5 and 1410 (23.5 hours, Cloud Monitoring's longest absence window)."
  }
}

variable "drill_schedule" {
  description = "When the restore drill job runs (cron, in time_zone); null (the default) creates no drill job."
  type        = string
  default     = null
}
