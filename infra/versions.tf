terraform {
  # 1.9: variable validations that refer to other variables (lifecycle vs retention).
  required_version = ">= 1.9"

  required_providers {
    google = {
      source  = "hashicorp/google"
      version = "~> 8.7"
    }
  }

  # State lives in a bucket of your own: terraform init -backend-config="bucket=STATE_BUCKET"
  backend "gcs" {
    prefix = "lookervault"
  }
}

provider "google" {
  project = var.project_id
  region  = var.region
}
