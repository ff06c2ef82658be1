terraform {
  # 1.9 is the first release whose variable validations may refer to other variables.
  required_version = ">= 1.9.0"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # 5.76.0 is the first release that accepts the python3.13 Lambda runtime; every other
      # argument used here is older. Tested with 5.100.0.
      version = ">= 5.76.0"
    }
  }
}
