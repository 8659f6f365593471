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

plugin "aws" {
  enabled = true
}
