# Deploying a runtime that runs as a service account needs iam.serviceAccounts.actAs on that
# account. The deployer gets it on LookerVault's accounts one by one, never project-wide.

locals {
  runtime_accounts = {
    job            = google_service_account.job.name
    scheduler      = google_service_account.scheduler.name
    function       = google_service_account.function.name
    trigger        = google_service_account.trigger.name
    function_build = google_service_account.function_build.name
  }
}

resource "google_service_account_iam_member" "deployer_acts_as" {
  for_each = var.deployer == null ? {} : local.runtime_accounts

  service_account_id = each.value
  role               = "roles/iam.serviceAccountUser"
  member             = var.deployer
}
