# Configurations whose values the module receives, or whose order around it, are known only
# after apply (tests/roots/unknown_at_plan): the module must still plan. Computed attributes of
# the mocked provider are unknown during plan, as a real provider's are.

mock_provider "aws" {
  source = "./tests/mocks"
}

# A treatment delivering to a function created in the same configuration: its delivery_uri is
# unknown at plan, so the invoke permissions cannot be keyed by it (for_each keys must be known).
run "treatment_function_of_the_same_configuration_plans" {
  command = plan

  module {
    source = "./tests/roots/unknown_at_plan"
  }

  variables {
    scenario = "treatment_function"
  }
}

run "treatment_function_of_the_same_configuration_applies" {
  command = apply

  module {
    source = "./tests/roots/unknown_at_plan"
  }

  variables {
    scenario = "treatment_function"
  }

  assert {
    condition     = keys(output.treatment_permission_statement_ids) == ["1"]
    error_message = "One invoke permission, keyed by the treatment's id (1): the webhook treatment (2) gets none."
  }
}

# Campaign scope, planned alone and with a module-level depends_on: tests/test_unknown_at_plan.py
# plans tests/roots/unknown_at_plan against the local AWS (the check block's condition is
# unknown at plan when the module's data sources wait for apply, which `terraform test`
# reports as an error).

# A key, a role, a topic and a secret of the same configuration in the object inputs: their
# ARNs are unknown at plan, and the failure queue, the table and the alarms must still be
# counted at plan (an unknown value once made the whole object, and so its switch, unknown).
run "resources_of_the_same_configuration_plan" {
  command = plan

  module {
    source = "./tests/roots/unknown_at_plan"
  }

  variables {
    scenario = "resources_of_the_configuration"
  }

  assert {
    condition     = module.channel_resources[0].idempotency_table_name != null && module.channel_resources[0].failure_queue_name != null
    error_message = "The idempotency table and the failure queue are planned."
  }
}
