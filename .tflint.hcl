# tflint for terraform/ (run by `make tf-check` as `tflint --recursive`).
# Both rulesets are used without downloads: "terraform" is bundled inside tflint, and "aws" is
# built by scripts/tools.sh (pinned in scripts/tool-versions.env) into TFLINT_PLUGIN_DIR,
# which is why neither block names a source or version.

config {
  # Lint the local modules through the calls in environments/*, with real variable values.
  call_module_type = "local"
}

plugin "terraform" {
  enabled = true
  preset  = "recommended"
}

# Beyond the preset: every variable and output described and typed, and each module laid out
# as main.tf, variables.tf and outputs.tf (docs/STYLE: the HashiCorp module structure).
rule "terraform_documented_variables" {
  enabled = true
}

rule "terraform_documented_outputs" {
  enabled = true
}

rule "terraform_typed_variables" {
  enabled = true
}

rule "terraform_standard_module_structure" {
  enabled = true
}

plugin "aws" {
  enabled = true
}
