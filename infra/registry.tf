# Where Cloud Build pushes the job image, and where Cloud Functions keeps the function's image.

# Job images. Tags are immutable: a commit tag always names the same image, so what Terraform
# deploys is exactly what Cloud Build tested and built.
resource "google_artifact_registry_repository" "images" {
  # checkov:skip=CKV_GCP_84:Images hold code and public dependencies only, no customer data; Google-managed encryption is enough.
  project       = var.project_id
  location      = var.region
  repository_id = var.name
  format        = "DOCKER"
  description   = "LookerVault job images"
  labels        = local.labels

  docker_config {
    immutable_tags = true
  }

  cleanup_policies {
    id     = "keep-recent"
    action = "KEEP"
    most_recent_versions {
      keep_count = var.images_to_keep
    }
  }

  cleanup_policies {
    id     = "delete-older"
    action = "DELETE"
    condition {
      tag_state  = "ANY"
      older_than = "2592000s"
    }
  }

  depends_on = [google_project_service.enabled]
}

# Function images, built by Cloud Functions on each deploy. A repository of its own: Cloud
# Functions re-tags its images, which immutable tags would refuse, and its build account may
# write here and nowhere else.
resource "google_artifact_registry_repository" "function_images" {
  # checkov:skip=CKV_GCP_84:Images hold code and public dependencies only, no customer data; Google-managed encryption is enough.
  project       = var.project_id
  location      = var.region
  repository_id = "${var.name}-functions"
  format        = "DOCKER"
  description   = "LookerVault retention function images (built by Cloud Functions)"
  labels        = local.labels

  cleanup_policies {
    id     = "keep-recent"
    action = "KEEP"
    most_recent_versions {
      keep_count = var.images_to_keep
    }
  }

  cleanup_policies {
    id     = "delete-older"
    action = "DELETE"
    condition {
      tag_state  = "ANY"
      older_than = "2592000s"
    }
  }

  depends_on = [google_project_service.enabled]
}
