# Terraform toolchain and checks. `make tools` builds tofu, tflint, the AWS tflint ruleset, the
# hashicorp/aws provider and checkov into $(FACEAUTH_TOOLS_DIR) (outside the repo, reused);
# `make tf-check` then checks terraform/ offline with them.
#
# TF_PROVIDER_SOURCE=mirror (default): providers only from the local filesystem mirror that
#   `make tools` fills; if the AWS provider could not be built there, validate and test are
#   skipped with the recorded reason (TF_REQUIRE_PROVIDER=1 makes that an error).
# TF_PROVIDER_SOURCE=registry: tofu installs providers as usual (GitHub Actions).

FACEAUTH_TOOLS_DIR ?= $(HOME)/.cache/faceauth-tools
TOOLS_BIN := $(FACEAUTH_TOOLS_DIR)/bin
TF_PROVIDER_SOURCE ?= mirror
TF_REQUIRE_PROVIDER ?= 0

# Tools from the cache when `make tools` built them there, else from PATH.
TOFU ?= $(if $(wildcard $(TOOLS_BIN)/tofu),$(TOOLS_BIN)/tofu,tofu)
TFLINT ?= $(if $(wildcard $(TOOLS_BIN)/tflint),$(TOOLS_BIN)/tflint,tflint)
CHECKOV ?= $(if $(wildcard $(FACEAUTH_TOOLS_DIR)/checkov-venv/bin/checkov),$(FACEAUTH_TOOLS_DIR)/checkov-venv/bin/checkov,checkov)
TFLINT_PLUGIN_DIR ?= $(FACEAUTH_TOOLS_DIR)/tflint-plugins
export TFLINT_PLUGIN_DIR

TF_ROOT := terraform
# Every module and environment: a folder of terraform/ holding .tf files.
TF_DIRS = $(patsubst %/,%,$(sort $(dir $(wildcard $(TF_ROOT)/modules/*/*.tf $(TF_ROOT)/environments/*/*.tf))))
# init/validate/test run on a copy, so no .terraform/ or lock file lands in the work tree.
TF_WORK := build/tf-check

# In mirror mode tofu reads the CLI config written by `make tools` (filesystem mirror only).
ifeq ($(TF_PROVIDER_SOURCE),mirror)
tf-fmt tf-validate tf-test: export TF_CLI_CONFIG_FILE = $(FACEAUTH_TOOLS_DIR)/tofu.rc
endif

.PHONY: tools tf-check tf-fmt tf-workdir tf-validate tf-test tf-lint tf-checkov

tools: ## Build/reuse the Terraform toolchain in $FACEAUTH_TOOLS_DIR (~/.cache/faceauth-tools)
	FACEAUTH_TOOLS_DIR=$(FACEAUTH_TOOLS_DIR) scripts/tools.sh all

tf-check: tf-fmt tf-validate tf-test tf-lint tf-checkov ## fmt, validate, test, tflint and checkov on terraform/
	@echo "tf-check: passed"

tf-fmt: ## tofu fmt -check on terraform/
	$(TOFU) fmt -check -recursive -diff $(TF_ROOT)

tf-workdir:
	@test -d $(TF_ROOT) || { echo "tf-check: no $(TF_ROOT)/ folder" >&2; exit 1; }
	@rm -rf $(TF_WORK) && mkdir -p $(TF_WORK)
	@cp -R $(TF_ROOT) $(TF_WORK)/
	@find $(TF_WORK) -name .terraform -prune -exec rm -rf {} +
	@# A locally built provider never matches the registry checksums in committed lock files.
	@$(if $(filter mirror,$(TF_PROVIDER_SOURCE)),find $(TF_WORK) -name .terraform.lock.hcl -delete,true)

# Prints the reason and succeeds (or fails under TF_REQUIRE_PROVIDER=1) when the mirror has
# no AWS provider; used as the first line of the recipes that need its schema.
define tf_need_provider
if [ "$(TF_PROVIDER_SOURCE)" = mirror ] && \
   [ -z "$$(find $(FACEAUTH_TOOLS_DIR)/provider-mirror -name 'terraform-provider-aws_v*' -type f 2>/dev/null)" ]; then \
  echo "tf-check: SKIPPED $@: no hashicorp/aws provider in $(FACEAUTH_TOOLS_DIR)/provider-mirror"; \
  sed -n '1,3p' $(FACEAUTH_TOOLS_DIR)/status/aws-provider 2>/dev/null | sed 's/^/  /'; \
  if [ "$(TF_REQUIRE_PROVIDER)" = 1 ]; then exit 1; else exit 0; fi; \
fi
endef

# tofu init -backend=false: providers only, no state; quiet unless it fails.
define tf_init
out=$$(cd $(TF_WORK)/$$d && $(abspath $(TOFU)) init -backend=false -input=false -no-color 2>&1) \
  || { echo "$$out"; exit 1; }
endef

tf-validate: tf-workdir ## tofu init -backend=false && tofu validate in every module and environment
	@$(tf_need_provider); \
	set -e; for d in $(TF_DIRS); do \
	  echo "== tofu validate $$d"; \
	  $(tf_init); \
	  (cd $(TF_WORK)/$$d && $(abspath $(TOFU)) validate -no-color); \
	done

tf-test: tf-workdir ## tofu test in every module that has *.tftest.hcl files
	@$(tf_need_provider); \
	set -e; for d in $(TF_DIRS); do \
	  ls $$d/*.tftest.hcl $$d/tests/*.tftest.hcl >/dev/null 2>&1 || continue; \
	  echo "== tofu test $$d"; \
	  [ -d $(TF_WORK)/$$d/.terraform ] || { $(tf_init); }; \
	  (cd $(TF_WORK)/$$d && $(abspath $(TOFU)) test -no-color); \
	done

# Without the AWS ruleset in TFLINT_PLUGIN_DIR (the Go module proxy reachable here does not
# serve it), tflint runs the bundled terraform ruleset alone and says so.
tf-lint: ## tflint --recursive (terraform recommended preset + AWS ruleset)
	@config=$(CURDIR)/.tflint.hcl; \
	if [ "$(TF_PROVIDER_SOURCE)" = mirror ] && [ ! -x "$(TFLINT_PLUGIN_DIR)/tflint-ruleset-aws" ]; then \
	  if [ "$(TF_REQUIRE_PROVIDER)" = 1 ]; then echo "tf-check: no tflint-ruleset-aws in $(TFLINT_PLUGIN_DIR)" >&2; exit 1; fi; \
	  echo "tf-check: WARNING tflint without the aws ruleset: not in $(TFLINT_PLUGIN_DIR)"; \
	  sed -n 1p $(FACEAUTH_TOOLS_DIR)/status/tflint-ruleset-aws 2>/dev/null | sed 's/^/  /'; \
	  mkdir -p $(TF_WORK); config=$(CURDIR)/$(TF_WORK)/tflint-without-aws.hcl; \
	  sed '/^plugin "aws"/,/^}/d' .tflint.hcl >$$config; \
	fi; \
	echo "== tflint --recursive ($$config)"; \
	$(TFLINT) --chdir=$(TF_ROOT) --recursive --config=$$config --format=compact

tf-checkov: ## checkov on terraform/ (0 failed checks; skips carry their reason in the code)
	$(CHECKOV) --directory $(TF_ROOT) --framework terraform --quiet --compact \
	  --skip-download --download-external-modules false
