#!/usr/bin/env bash
# Writes the hashicorp/aws schema documents the schema-only provider serves, where the
# provider registry is reachable (GitHub Actions); on the development machine and in .ci/run
# they come from ../shared/terraform-schema instead.
#
#   scripts/tf-schema.sh fetch DIR    DIR/aws-<version>.json for AWS_SCHEMA_LOWEST and _NEWEST
#
# Each is `tofu providers schema -json` of a throwaway configuration that requires exactly
# that release, installed from the registry (not from the schema-only provider's mirror).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/tool-versions.env
. "$here/tool-versions.env"
TOOLS_DIR=${FACEAUTH_TOOLS_DIR:-$HOME/.cache/faceauth-tools}
TOFU=${TOFU:-$TOOLS_DIR/bin/tofu}
PYTHON=${PYTHON:-python3}

fetch() { # fetch VERSION DIR
  local version=$1 dir=$2 work
  [[ -s $dir/aws-$version.json ]] && return 0
  work=$(mktemp -d)
  cat >"$work/main.tf" <<EOF
terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "= $version"
    }
  }
}
EOF
  (
    cd "$work"
    unset TF_CLI_CONFIG_FILE
    "$TOFU" init -input=false -no-color >/dev/null
    "$TOFU" providers schema -json >schema.json
  )
  # tofu names the provider registry.opentofu.org/...; the documents use Terraform's name.
  "$PYTHON" - "$work/schema.json" "$dir/aws-$version.json" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
schemas = doc["provider_schemas"]
(key,) = [k for k in schemas if k.endswith("/hashicorp/aws")]
doc["provider_schemas"] = {"registry.terraform.io/hashicorp/aws": schemas[key]}
json.dump(doc, open(sys.argv[2], "w"))
EOF
  rm -rf "$work"
  echo "wrote $dir/aws-$version.json"
}

case ${1:-} in
  fetch)
    dir=${2:?usage: scripts/tf-schema.sh fetch DIR}
    mkdir -p "$dir"
    fetch "$AWS_SCHEMA_LOWEST" "$dir"
    fetch "$AWS_SCHEMA_NEWEST" "$dir"
    ;;
  *)
    echo "usage: scripts/tf-schema.sh fetch DIR" >&2
    exit 2
    ;;
esac
