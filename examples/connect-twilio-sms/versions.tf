terraform {
  # The module needs 1.9 (variable validations that refer to other variables).
  required_version = ">= 1.9.0"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # The module needs 5.76.0 (python3.13 runtime) and runs on 6.x; tested with 5.100.0.
      version = ">= 5.76.0, < 7.0.0"
    }
  }
}
