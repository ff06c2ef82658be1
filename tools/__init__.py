"""Build and docs tooling: Lambda package, docs tables, checkov, Terraform config."""
