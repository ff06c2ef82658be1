terraform {
  # 1.9 is the first release whose variable validations may refer to objects other than the
  # variable itself: they read the locals of main.tf (the keys an `any`-typed object takes, the
  # services' patterns). Rules between variables are preconditions, which need no more than 1.2.
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
