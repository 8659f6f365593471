# Terraform toolchain and checks. `make tools` builds tofu, tflint (and the AWS tflint ruleset
# where the Go module proxy serves it), terraform-docs, actionlint, the schema-only
# hashicorp/aws provider (tools/tf-schema-provider) and checkov into $(FACEAUTH_TOOLS_DIR),
# outside the repo, and reuses them; `make tf-check` then checks terraform/ offline with them.
#
# validate and tofu test run against the hashicorp/aws schema, served by the schema-only
# provider from $(FACEAUTH_TF_SCHEMA_DIR)/aws-<version>.json, once for each version of
# TF_AWS_SCHEMAS: the lowest release the environments allow and the newest we have.

include scripts/tool-versions.env

FACEAUTH_TOOLS_DIR ?= $(HOME)/.cache/faceauth-tools
TOOLS_BIN := $(FACEAUTH_TOOLS_DIR)/bin
# `providers schema -json` documents of hashicorp/aws, named aws-<version>.json.
FACEAUTH_TF_SCHEMA_DIR ?= $(abspath $(CURDIR)/../shared/terraform-schema)
TF_AWS_SCHEMAS ?= $(AWS_SCHEMA_LOWEST) $(AWS_SCHEMA_NEWEST)
export FACEAUTH_TOOLS_DIR FACEAUTH_TF_SCHEMA_DIR

# Tools from the cache when `make tools` built them there, else from PATH.
TOFU ?= $(if $(wildcard $(TOOLS_BIN)/tofu),$(TOOLS_BIN)/tofu,tofu)
TFLINT ?= $(if $(wildcard $(TOOLS_BIN)/tflint),$(TOOLS_BIN)/tflint,tflint)
TERRAFORM_DOCS ?= $(if $(wildcard $(TOOLS_BIN)/terraform-docs),$(TOOLS_BIN)/terraform-docs,terraform-docs)
CHECKOV ?= $(if $(wildcard $(FACEAUTH_TOOLS_DIR)/checkov-venv/bin/checkov),$(FACEAUTH_TOOLS_DIR)/checkov-venv/bin/checkov,checkov)
SCHEMA_PROVIDER := $(TOOLS_BIN)/tf-schema-provider
TFLINT_PLUGIN_DIR ?= $(FACEAUTH_TOOLS_DIR)/tflint-plugins
export TFLINT_PLUGIN_DIR

TF_ROOT ?= terraform
# Every module and environment (a folder holding .tf files), relative to TF_ROOT.
TF_MODULES = $(patsubst $(TF_ROOT)/%/,%,$(sort $(dir $(wildcard $(TF_ROOT)/modules/*/*.tf))))
TF_DIRS = $(patsubst $(TF_ROOT)/%/,%,$(sort $(dir $(wildcard $(TF_ROOT)/environments/*/*.tf)))) $(TF_MODULES)
# init/validate/test run on a copy per schema version, so no .terraform/ or lock file lands in
# the work tree; a locally built provider never matches committed lock files anyway.
TF_WORK ?= build/tf-check

.PHONY: tools tf-check tf-provider-check tf-fmt tf-workdir tf-validate tf-test tf-lint tf-checkov tf-docs tf-docs-check tf-mistakes tf-schemas settings-table

tools: ## Build/reuse the Terraform toolchain in $FACEAUTH_TOOLS_DIR (~/.cache/faceauth-tools)
	scripts/tools.sh all

tf-check: tf-provider-check tf-fmt tf-schemas tf-mistakes tf-lint tf-docs-check tf-checkov ## provider unit tests, fmt, validate, tofu test, planted mistakes, tflint, terraform-docs, checkov
	@echo "tf-check: passed"

# fmt needs no provider, but tofu reads a CLI config all the same: the one `make tools` wrote.
tf-fmt tf-docs tf-docs-check: export TF_CLI_CONFIG_FILE = $(FACEAUTH_TOOLS_DIR)/tofu-aws-$(AWS_SCHEMA_LOWEST).rc

tf-provider-check: ## gofmt, go vet and go test of the schema-only provider (tools/tf-schema-provider)
	@cd tools/tf-schema-provider && test -z "$$(gofmt -l .)" || { gofmt -l . >&2; echo "tf-check: gofmt the files above" >&2; exit 1; }
	cd tools/tf-schema-provider && go vet ./... && go test ./...

tf-fmt: ## tofu fmt -check on terraform/
	$(TOFU) fmt -check -recursive -diff $(TF_ROOT)

tf-workdir:
	@test -d $(TF_ROOT) || { echo "tf-check: no $(TF_ROOT)/ folder" >&2; exit 1; }
	@rm -rf $(TF_WORK) && mkdir -p $(TF_WORK)
	@for v in $(TF_AWS_SCHEMAS); do \
	  mkdir -p $(TF_WORK)/aws-$$v && cp -R $(TF_ROOT)/. $(TF_WORK)/aws-$$v/; \
	  find $(TF_WORK)/aws-$$v \( -name .terraform -o -name .terraform.lock.hcl \) -prune -exec rm -rf {} +; \
	done

# Every aws_* type the configuration and its tests name: the provider serves only those
# (FACEAUTH_TF_SCHEMA_TYPES; tofu asks about no other, a misspelt one is still unknown), which
# makes each of tofu's many provider starts about seven times faster than the whole schema.
TF_SCHEMA_TYPES = $(sort $(shell grep -rhoE '^[[:space:]]*(resource|data|ephemeral|mock_resource|mock_data)[[:space:]]+"aws_[a-z0-9_]+"' $(TF_ROOT) --include='*.tf' --include='*.tftest.hcl' | grep -oE 'aws_[a-z0-9_]+'))

# The environment of one schema version $$v: tofu installs hashicorp/aws from that version's
# mirror only, and the provider reads that version's schema document.
define tf_schema_env
export TF_CLI_CONFIG_FILE=$(FACEAUTH_TOOLS_DIR)/tofu-aws-$$v.rc FACEAUTH_TF_SCHEMA_FILE=$(FACEAUTH_TF_SCHEMA_DIR)/aws-$$v.json FACEAUTH_TF_SCHEMA_TYPES="$(TF_SCHEMA_TYPES)"; \
test -f "$$TF_CLI_CONFIG_FILE" -a -x $(SCHEMA_PROVIDER) || { echo "tf-check: no schema-only provider for hashicorp/aws $$v in $(FACEAUTH_TOOLS_DIR): run \`make tools\`" >&2; exit 1; }; \
test -f "$$FACEAUTH_TF_SCHEMA_FILE" || { echo "tf-check: no $$FACEAUTH_TF_SCHEMA_FILE: set FACEAUTH_TF_SCHEMA_DIR to the folder of the aws-<version>.json schema documents (../shared/terraform-schema), or write them with \`scripts/tf-schema.sh fetch DIR\` where the registry is reachable" >&2; exit 1; }
endef

# tofu init -backend=false: providers only, no state; quiet unless it fails.
define tf_init
out=$$(cd $(TF_WORK)/aws-$$v/$$d && $(abspath $(TOFU)) init -backend=false -input=false -no-color 2>&1) \
  || { echo "$$out" | $(tf_paths); exit 1; }
endef

# tofu names files relative to the folder it runs in: name them from the repository root.
tf_paths = sed -e "s|^\([[:space:]│]*on \)\([^ ]*\) line|\1$(TF_ROOT)/$$d/\2 line|"

tf-validate: tf-workdir ## tofu init -backend=false && tofu validate in every module and environment, per schema version
	@set -eo pipefail; for v in $(TF_AWS_SCHEMAS); do \
	  $(tf_schema_env); \
	  $(SCHEMA_PROVIDER) -check; \
	  for d in $(TF_DIRS); do \
	    $(tf_init); \
	    echo "== tofu validate $(TF_ROOT)/$$d (hashicorp/aws $$v)"; \
	    (cd $(TF_WORK)/aws-$$v/$$d && $(abspath $(TOFU)) validate -no-color 2>&1) | $(tf_paths); \
	  done; \
	done

# Fails on a skipped run too: a skip means an earlier run failed or could not be evaluated.
tf-test: tf-workdir ## tofu test (mock_provider, plan mode) in every module, per schema version
	@set -eo pipefail; for v in $(TF_AWS_SCHEMAS); do \
	  $(tf_schema_env); \
	  for d in $(TF_MODULES); do \
	    ls $(TF_ROOT)/$$d/tests/*.tftest.hcl >/dev/null 2>&1 || { echo "tf-check: $(TF_ROOT)/$$d has no tests/*.tftest.hcl" >&2; exit 1; }; \
	    [ -d $(TF_WORK)/aws-$$v/$$d/.terraform ] || { $(tf_init); }; \
	    echo "== tofu test $(TF_ROOT)/$$d (hashicorp/aws $$v)"; \
	    status=0; out=$$(cd $(TF_WORK)/aws-$$v/$$d && $(abspath $(TOFU)) test -no-color 2>&1) || status=$$?; \
	    echo "$$out" | $(tf_paths); \
	    summary=$$(echo "$$out" | grep -E '^(Success|Failure)! ' | tail -n1); \
	    if [ $$status -ne 0 ] || [ -z "$$summary" ] || echo "$$summary" | grep -q skipped; then \
	      echo "tf-check: tofu test $(TF_ROOT)/$$d failed or skipped runs against hashicorp/aws $$v" >&2; exit 1; \
	    fi; \
	    echo "tofu test $(TF_ROOT)/$$d (hashicorp/aws $$v): $$(echo "$$summary" | sed -E 's/^Success! //; s/\.$$//'), 0 skipped"; \
	  done; \
	done

# validate + tofu test once per schema version, the versions side by side (two cores), each
# version's output printed when it is done.
tf-schemas: ## tofu validate and tofu test for every schema version of TF_AWS_SCHEMAS, in parallel
	@echo "tf-check: validate and tofu test against hashicorp/aws $(TF_AWS_SCHEMAS), side by side"
	@$(MAKE) --no-print-directory -j$(words $(TF_AWS_SCHEMAS)) --output-sync=target $(addprefix tf-schema-,$(TF_AWS_SCHEMAS))

tf-schema-%:
	@$(MAKE) --no-print-directory tf-validate tf-test TF_AWS_SCHEMAS=$* TF_WORK=$(TF_WORK)/$*

tf-mistakes: $(VENV)/.installed ## Show that validate catches planted mistakes (pytest -m tofu: unknown argument, missing argument, wrong block)
	$(PY) -m pytest -m tofu -p no:cacheprovider tests/terraform $(PYTEST_ARGS)

# Without the AWS ruleset in TFLINT_PLUGIN_DIR (the Go module proxy reachable here does not
# serve it), tflint runs the bundled terraform ruleset alone and says so.
tf-lint: ## tflint --recursive (terraform ruleset: recommended preset + documented/typed variables, module structure; AWS ruleset)
	@config=$(CURDIR)/.tflint.hcl; \
	if [ ! -x "$(TFLINT_PLUGIN_DIR)/tflint-ruleset-aws" ]; then \
	  echo "tf-check: WARNING tflint without the aws ruleset: not in $(TFLINT_PLUGIN_DIR)"; \
	  sed -n 1p $(FACEAUTH_TOOLS_DIR)/status/tflint-ruleset-aws 2>/dev/null | sed 's/^/  /'; \
	  mkdir -p $(TF_WORK); config=$(CURDIR)/$(TF_WORK)/tflint-without-aws.hcl; \
	  sed '/^plugin "aws"/,/^}/d' .tflint.hcl >$$config; \
	fi; \
	echo "== tflint --recursive ($$config)"; \
	$(TFLINT) --chdir=$(TF_ROOT) --recursive --config=$$config --format=compact

tf-docs: ## Regenerate the Inputs/Outputs of terraform/modules/*/README.md (terraform-docs)
	@for d in $(TF_MODULES); do $(TERRAFORM_DOCS) --config $(CURDIR)/.terraform-docs.yml $(TF_ROOT)/$$d >/dev/null; done

tf-docs-check: ## Fail when a module README's Inputs/Outputs differ from the code (`make tf-docs` fixes)
	@status=0; for d in $(TF_MODULES); do \
	  $(TERRAFORM_DOCS) --config $(CURDIR)/.terraform-docs.yml --output-check $(TF_ROOT)/$$d >/dev/null 2>&1 || { echo "tf-check: $(TF_ROOT)/$$d/README.md is out of date: run \`make tf-docs\`" >&2; status=1; }; \
	done; exit $$status

tf-checkov: ## checkov on terraform/ (0 failed checks; skips carry their reason in the code)
	$(CHECKOV) --directory $(TF_ROOT) --framework terraform --quiet --compact \
	  --skip-download --download-external-modules false

settings-table: $(VENV)/.installed ## Regenerate terraform/modules/functions/settings.json (what each function reads) from faceauth.settings
	$(PY) scripts/gen_settings_table.py
