"""Invariants of the Terraform tree, checked offline over the HCL parsed with python-hcl2.

Each test names one rule from issue 4 or docs/STYLE, and fails when a change breaks it.
What tools check better lives there: tflint (`.tflint.hcl`: variables and outputs described
and typed, standard module structure), terraform-docs (module READMEs) and `tofu test`
(`terraform/modules/*/tests`: alarms, settings parity, computed wiring).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import hcl2
import pytest

from tests.terraform.parsed import (
    ENVIRONMENTS,
    MODULES,
    TERRAFORM,
    Block,
    data_sources,
    locals_of,
    module_calls,
    nested,
    parse,
    resolve_list,
    resources,
    tf_files,
)

ENVIRONMENT_DIRS = sorted(path for path in ENVIRONMENTS.iterdir() if path.is_dir())
MODULE_DIRS = sorted(path for path in MODULES.iterdir() if path.is_dir())
# The composition every environment calls: the modules wired together.
STACK = MODULES / "stack"

CONTRACT_ROUTES = {
    "POST /users/{userId}/registration",
    "PUT /users/{userId}/registration",
    "DELETE /users/{userId}/registration",
    "POST /users/{userId}/verification",
    "GET /users/{userId}",
    "GET /health",
}
OPEN_ROUTES = {"GET /health"}

# Resource types the AWS provider cannot tag; everything else must carry tags.
UNTAGGABLE = {
    "aws_api_gateway_account",
    "aws_api_gateway_deployment",
    "aws_api_gateway_gateway_response",
    "aws_api_gateway_integration",
    "aws_api_gateway_method",
    "aws_api_gateway_method_settings",
    "aws_api_gateway_model",
    "aws_api_gateway_request_validator",
    "aws_api_gateway_resource",
    "aws_api_gateway_usage_plan_key",
    "aws_cloudwatch_dashboard",
    "aws_db_proxy_default_target_group",
    "aws_db_proxy_target",
    "aws_iam_role_policy",
    "aws_iam_role_policy_attachment",
    "aws_kms_alias",
    "aws_lambda_alias",
    "aws_lambda_function_event_invoke_config",
    "aws_lambda_layer_version",
    "aws_lambda_permission",
    "aws_route_table_association",
    "aws_s3_bucket_lifecycle_configuration",
    "aws_s3_bucket_logging",
    "aws_s3_bucket_ownership_controls",
    "aws_s3_bucket_policy",
    "aws_s3_bucket_public_access_block",
    "aws_s3_bucket_server_side_encryption_configuration",
    "aws_s3_bucket_versioning",
    "aws_scheduler_schedule",
    "aws_sns_topic_subscription",
    "aws_wafv2_web_acl_association",
}


def _refs(expression: Any, resource_type: str) -> set[str]:
    """Names of resources of one type referenced anywhere in an expression."""
    return set(re.findall(rf"\b{resource_type}\.(\w+)", str(expression)))


def _outputs(module: Path) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for path in sorted(module.glob("*.tf")):
        for entry in parse(path).get("output", []):
            found.update(entry)
    return found


def _variables(module: Path) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for path in sorted(module.glob("*.tf")):
        for entry in parse(path).get("variable", []):
            found.update(entry)
    return found


def _statements(document: Block) -> list[dict[str, Any]]:
    """Plain and dynamic statement blocks of an aws_iam_policy_document."""
    statements = list(nested(document.body, "statement"))
    for dynamic in nested(document.body, "dynamic"):
        for content in nested(dynamic.get("statement", {}), "content"):
            statements.append(content)
    return statements


# ---------------------------------------------------------------------------------------
# Parsing and layout
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", tf_files(), ids=lambda p: str(p.relative_to(TERRAFORM)))
def test_every_tf_file_parses(path: Path) -> None:
    # Given a .tf file, When python-hcl2 parses it, Then it yields a mapping
    assert isinstance(hcl2.loads(path.read_text()), dict)


def test_the_tree_has_the_modules_and_environments_of_the_issue() -> None:
    names = {path.name for path in MODULE_DIRS}
    assert {"network", "database", "storage", "functions", "api", "schedule", "monitoring"} <= names
    assert "stack" in names
    assert {path.name for path in ENVIRONMENT_DIRS} == {"dev", "prod"}


@pytest.mark.parametrize("module", MODULE_DIRS, ids=lambda p: p.name)
def test_every_module_has_versions_a_generated_readme_and_a_plan_test(module: Path) -> None:
    # main.tf, variables.tf and outputs.tf: tflint's terraform_standard_module_structure.
    assert (module / "versions.tf").is_file(), f"{module.name} lacks versions.tf"
    readme = (module / "README.md").read_text()
    assert "<!-- BEGIN_TF_DOCS -->" in readme, f"{module.name}: no terraform-docs section"
    assert list((module / "tests").glob("*.tftest.hcl")), f"{module.name} has no tftest file"


@pytest.mark.parametrize(
    "path", sorted(MODULES.glob("*/tests/*.tftest.hcl")), ids=lambda p: p.parent.parent.name
)
def test_module_tests_plan_against_a_mocked_provider(path: Path) -> None:
    test_file = hcl2.loads(path.read_text())
    assert any('"aws"' in entry or "aws" in entry for entry in test_file["mock_provider"])
    runs = test_file["run"]
    assert runs
    for run in runs:
        (body,) = run.values()
        assert body.get("command") == "plan", f"{path.name}: every run is plan-only"


@pytest.mark.parametrize(
    "module", MODULE_DIRS + ENVIRONMENT_DIRS, ids=lambda p: str(p.relative_to(TERRAFORM))
)
def test_variable_arguments_are_in_style_order(module: Path) -> None:
    # That each has a description and a type is tflint's (terraform_documented_variables,
    # terraform_typed_variables); the order is docs/STYLE's.
    order = ["description", "type", "default", "validation"]
    for name, body in _variables(module).items():
        keys = [key for key in body if key in order]
        assert keys == sorted(keys, key=order.index), f"{module.name}: variable {name}: {keys}"


@pytest.mark.parametrize("module", MODULE_DIRS, ids=lambda p: p.name)
def test_modules_set_provider_minimums(module: Path) -> None:
    terraform = parse(module / "versions.tf")["terraform"][0]
    aws = terraform["required_providers"][0]["aws"]
    assert terraform["required_version"].startswith(">=")
    assert aws["version"].startswith(">= 6."), aws


@pytest.mark.parametrize("environment", ENVIRONMENT_DIRS, ids=lambda p: p.name)
def test_roots_pin_versions_and_lock_state_natively(environment: Path) -> None:
    terraform = parse(environment / "versions.tf")["terraform"][0]
    aws = terraform["required_providers"][0]["aws"]
    assert ">= 1.10" in terraform["required_version"]
    assert aws["version"].startswith("~> 6."), aws

    backend = parse(environment / "backend.tf")["terraform"][0]["backend"][0]["s3"]
    assert backend["use_lockfile"] is True
    assert backend["encrypt"] is True
    assert "bucket" not in backend, "the pipeline supplies the bucket (partial configuration)"
    assert backend["key"] == f"faceauth/{environment.name}/terraform.tfstate"

    provider = parse(environment / "versions.tf")["provider"][0]["aws"]
    assert provider["default_tags"][0]["tags"] == "${local.tags}"


def _shape(value: Any) -> Any:
    """The keys of a mapping, recursively, without the values."""
    if isinstance(value, dict):
        return {key: _shape(item) for key, item in value.items()}
    return None


def _stack_call(environment: Path) -> dict[str, Any]:
    """The one module call of an environment: the stack."""
    calls = module_calls(environment)
    assert set(calls) == {"faceauth"}, f"{environment.name}: {sorted(calls)}"
    return calls["faceauth"]


@pytest.mark.parametrize("environment", ENVIRONMENT_DIRS, ids=lambda p: p.name)
def test_each_environment_is_one_call_of_the_stack_module(environment: Path) -> None:
    call = _stack_call(environment)
    assert call["source"] == "../../modules/stack"
    assert call["environment"] == "${local.environment}"
    assert locals_of(environment)["environment"] == environment.name
    assert call["tags"] == "${local.tags}", "the resources carry the provider's default_tags"
    # The zips `make build` writes under build/ at the repository root.
    assert call["build_dir"] == "${path.root}/../../../build"
    assert not resources(module=environment), "resources belong in modules, not in a root"


def test_dev_and_prod_differ_only_in_the_values_they_pass_the_stack() -> None:
    dev, prod = ENVIRONMENTS / "dev", ENVIRONMENTS / "prod"
    assert sorted(p.name for p in dev.iterdir()) == sorted(p.name for p in prod.iterdir())
    for name in ("versions.tf", "variables.tf", "outputs.tf"):
        assert (dev / name).read_text() == (prod / name).read_text(), name
    # Same arguments, nested ones included, side by side: only the values differ.
    assert _shape(_stack_call(dev)) == _shape(_stack_call(prod))
    assert _shape(locals_of(dev)) == _shape(locals_of(prod))


@pytest.mark.parametrize("environment", ENVIRONMENT_DIRS, ids=lambda p: p.name)
def test_environment_settings_are_known_inputs_of_the_stack(environment: Path) -> None:
    inputs = set(_variables(STACK))
    passed = set(_stack_call(environment)) - {"source"}
    assert passed <= inputs, f"{environment.name}: unknown inputs {sorted(passed - inputs)}"
    required = {name for name, body in _variables(STACK).items() if "default" not in body}
    assert required <= passed, f"{environment.name}: missing {sorted(required - passed)}"


@pytest.mark.parametrize("environment", ENVIRONMENT_DIRS, ids=lambda p: p.name)
def test_environments_pass_every_stack_output_through_under_its_name(environment: Path) -> None:
    stack_outputs = _outputs(STACK)
    outputs = _outputs(environment)
    assert set(outputs) == set(stack_outputs)
    for name, body in outputs.items():
        assert body["value"] == f"${{module.faceauth.{name}}}", f"{environment.name}: {name}"
        assert body["description"] == stack_outputs[name]["description"], name
    # The pipeline (.github/) and docs/deploy.md read these by name.
    assert {"migrate_function_name", "api_invoke_urls", "api_key_ids"} <= set(outputs)


# ---------------------------------------------------------------------------------------
# API: keys on every route but health, one stage per version invoking its alias
# ---------------------------------------------------------------------------------------


def test_every_route_but_health_requires_an_api_key() -> None:
    api = MODULES / "api"
    routes = locals_of(api)["routes"]
    assert set(routes) == CONTRACT_ROUTES
    for route, spec in routes.items():
        assert spec["api_key_required"] is (route not in OPEN_ROUTES), route

    methods = resources("aws_api_gateway_method")
    assert methods, "no aws_api_gateway_method found"
    for method in methods:
        required = method.body.get("api_key_required")
        if method.body.get("for_each") == "${local.routes}":
            assert required == "${each.value.api_key_required}", method.address
        else:
            assert required is True, f"{method.address} does not require an API key"


def test_each_stage_invokes_the_alias_named_by_its_stage_variable() -> None:
    api = MODULES / "api"
    (stage,) = resources("aws_api_gateway_stage", api)
    assert stage.body["variables"] == {"lambdaAlias": "${each.value}"}
    assert stage.body["for_each"] == "${var.stage_aliases}"
    assert _variables(api)["stage_aliases"]["default"] == {"v1": "v1"}

    (integration,) = resources("aws_api_gateway_integration", api)
    assert integration.body["type"] == "AWS_PROXY"
    assert "stageVariables.lambdaAlias" in locals_of(api)["integration_uri"]

    (permission,) = resources("aws_lambda_permission", api)
    assert permission.body["qualifier"] == "${each.value}"
    assert permission.body["for_each"] == "${var.stage_aliases}"


def test_deployment_redeploys_on_a_hash_and_is_replaced_before_destroy() -> None:
    (deployment,) = resources("aws_api_gateway_deployment", MODULES / "api")
    assert "sha1(" in str(deployment.body["triggers"])
    assert deployment.body["lifecycle"][0]["create_before_destroy"] is True


def test_gateway_errors_use_the_json_error_shape() -> None:
    responses = locals_of(MODULES / "api")["gateway_responses"]
    required = {"INVALID_API_KEY", "ACCESS_DENIED", "THROTTLED", "QUOTA_EXCEEDED", "DEFAULT_4XX"}
    assert required | {"DEFAULT_5XX"} <= set(responses)
    assert responses["INVALID_API_KEY"]["status"] == "403"
    assert responses["THROTTLED"]["status"] == "429"
    (response,) = resources("aws_api_gateway_gateway_response", MODULES / "api")
    template = str(response.body["response_templates"])
    assert "error" in template
    assert "each.value.code" in template
    assert "each.value.message" in template


def test_access_logs_are_json() -> None:
    (stage,) = resources("aws_api_gateway_stage", MODULES / "api")
    settings = stage.body["access_log_settings"][0]
    assert settings["format"] == "${local.access_log_format}"
    assert str(locals_of(MODULES / "api")["access_log_format"]).startswith("${jsonencode(")


# ---------------------------------------------------------------------------------------
# Database: private, encrypted, TLS only
# ---------------------------------------------------------------------------------------


def test_rds_is_private_encrypted_and_manages_its_password() -> None:
    instances = resources("aws_db_instance")
    assert instances, "no aws_db_instance found"
    for instance in instances:
        body = instance.body
        assert body["publicly_accessible"] is False, instance.address
        assert body["storage_encrypted"] is True, instance.address
        assert body.get("kms_key_id"), f"{instance.address} uses the default key"
        assert body["manage_master_user_password"] is True, instance.address
        assert body["engine"] == "mysql", instance.address


def test_rds_parameter_group_requires_tls() -> None:
    groups = resources("aws_db_parameter_group")
    assert groups
    for group in groups:
        params = {p["name"]: p["value"] for p in nested(group.body, "parameter")}
        assert params.get("require_secure_transport") in ("1", "ON"), group.address

    for instance in resources("aws_db_instance"):
        assert _refs(instance.body["parameter_group_name"], "aws_db_parameter_group")


def test_rds_proxy_requires_tls() -> None:
    for proxy in resources("aws_db_proxy"):
        assert proxy.body["require_tls"] is True, proxy.address


# ---------------------------------------------------------------------------------------
# Storage: public access blocked, KMS, TLS only, lifecycle from the retention variables
# ---------------------------------------------------------------------------------------


def test_every_bucket_blocks_all_public_access() -> None:
    buckets = resources("aws_s3_bucket")
    assert buckets
    for bucket in buckets:
        blocks = [
            block
            for block in resources("aws_s3_bucket_public_access_block", bucket.module)
            if bucket.name in _refs(block.body["bucket"], "aws_s3_bucket")
        ]
        assert blocks, f"{bucket.address} has no public access block"
        for flag in (
            "block_public_acls",
            "block_public_policy",
            "ignore_public_acls",
            "restrict_public_buckets",
        ):
            assert blocks[0].body[flag] is True, f"{bucket.address}: {flag}"


def test_every_bucket_is_kms_encrypted_owner_enforced_and_tls_only() -> None:
    for bucket in resources("aws_s3_bucket"):
        (sse,) = resources("aws_s3_bucket_server_side_encryption_configuration", bucket.module)
        default = sse.body["rule"][0]["apply_server_side_encryption_by_default"][0]
        assert default["sse_algorithm"] == "aws:kms"
        assert default["kms_master_key_id"]

        (ownership,) = resources("aws_s3_bucket_ownership_controls", bucket.module)
        assert ownership.body["rule"][0]["object_ownership"] == "BucketOwnerEnforced"

        (policy,) = data_sources("aws_iam_policy_document", bucket.module)
        conditions = [
            (statement["effect"], condition["variable"], condition["values"])
            for statement in _statements(policy)
            for condition in nested(statement, "condition")
        ]
        assert ("Deny", "aws:SecureTransport", ["false"]) in conditions


def test_lifecycle_expires_captures_from_the_retention_variables_and_never_references() -> None:
    storage = MODULES / "storage"
    (lifecycle,) = resources("aws_s3_bucket_lifecycle_configuration", storage)
    rules = nested(lifecycle.body, "rule")

    expiring = [rule for rule in rules if "days" in rule.get("expiration", [{}])[0]]
    assert len(expiring) == 1, "exactly one rule expires current objects"
    (rule,) = expiring
    assert rule["filter"][0]["prefix"] == "${var.captures_prefix}"
    assert _variables(storage)["captures_prefix"]["default"] == "captures/"
    assert rule["expiration"][0]["days"] == "${local.capture_expiration_days}"

    days = str(locals_of(storage)["capture_expiration_days"])
    assert "var.fail_retention_days" in days
    assert "var.lifecycle_margin_days" in days

    for each_rule in rules:
        prefix = str(each_rule.get("filter", [{}])[0].get("prefix", ""))
        assert "reference" not in prefix, "references must never be expired by lifecycle"


def test_the_lifecycle_reads_the_retention_the_purge_is_given() -> None:
    # The defaults are faceauth.settings' (through the functions module's settings.json); the
    # bucket's lifecycle takes the values the functions module resolved, never its own.
    calls = module_calls(STACK)
    for name in ("pass_retention_days", "fail_retention_days"):
        setting = f"FACEAUTH_{name.upper()}"
        assert calls["storage"][name] == (
            f'${{tonumber(module.functions.setting_values["{setting}"])}}'
        ), calls["storage"][name]
        assert f"var.{name}" in str(calls["functions"]["settings"])
        assert _variables(STACK)[name]["default"] is None, "null: faceauth's default"


# ---------------------------------------------------------------------------------------
# Functions: log groups with retention and KMS, an alarm each, least privilege
# ---------------------------------------------------------------------------------------


def test_every_lambda_has_its_own_log_group_with_retention_and_kms() -> None:
    functions = resources("aws_lambda_function")
    assert functions
    for function in functions:
        (logging,) = nested(function.body, "logging_config")
        (group_name,) = _refs(logging["log_group"], "aws_cloudwatch_log_group")
        (group,) = [
            g
            for g in resources("aws_cloudwatch_log_group", function.module)
            if g.name == group_name
        ]
        assert group.body.get("retention_in_days"), f"{group.address} keeps logs forever"
        assert group.body.get("kms_key_id"), f"{group.address} is not encrypted with KMS"
        assert group.body.get("for_each") == function.body.get("for_each"), (
            f"{function.address} and {group.address} must be keyed alike (one group per function)"
        )
        assert "/aws/lambda/" in str(group.body["name"])


def _policy_actions() -> list[tuple[str, str]]:
    found = []
    for document in data_sources("aws_iam_policy_document"):
        for statement in _statements(document):
            for key in ("actions", "not_actions"):
                if key in statement:
                    for action in resolve_list(statement[key], document.module):
                        found.append((document.address, str(action)))
    return found


def test_no_iam_statement_has_a_wildcard_action() -> None:
    actions = _policy_actions()
    assert len(actions) > 50, "the policy documents were not found"
    offenders = [(address, action) for address, action in actions if "*" in action]
    assert not offenders


def test_no_action_wildcard_hides_in_a_raw_policy() -> None:
    # A literal such as "s3:*" or "kms:GenerateDataKey*" anywhere, even outside a document.
    pattern = re.compile(r'"[a-z0-9-]+:[A-Za-z]*\*[A-Za-z]*"')
    for path in tf_files():
        for match in pattern.finditer(path.read_text()):
            raise AssertionError(f"{path.relative_to(TERRAFORM)}: action wildcard {match.group(0)}")
    for block in resources():
        assert "Action" not in str(block.body.get("policy", "")), f"{block.address}: raw policy"


def _statement_by_sid(document_name: str, sid: str) -> dict[str, Any]:
    (document,) = [
        d
        for d in data_sources("aws_iam_policy_document", MODULES / "functions")
        if d.name == document_name
    ]
    (statement,) = [s for s in _statements(document) if s.get("sid") == sid]
    return statement


def test_compare_may_call_only_compare_and_detect_faces() -> None:
    statement = _statement_by_sid("compare", "CompareAndDetectFaces")
    assert sorted(statement["actions"]) == ["rekognition:CompareFaces", "rekognition:DetectFaces"]
    rekognition = [a for _, a in _policy_actions() if a.startswith("rekognition:")]
    assert set(rekognition) == {"rekognition:CompareFaces", "rekognition:DetectFaces"}


def test_purge_deletes_image_versions_but_never_reads_or_writes_images() -> None:
    deletes = _statement_by_sid("purge", "DeleteImageVersions")
    assert sorted(deletes["actions"]) == ["s3:DeleteObject", "s3:DeleteObjectVersion"]
    assert deletes["resources"] == ["${local.captures_objects}", "${local.references_objects}"]
    listing = _statement_by_sid("image_store", "ListImageVersions")
    (condition,) = nested(listing, "condition")
    assert condition["variable"] == "s3:prefix"
    assert all(value.endswith("_prefix}*") for value in condition["values"])

    (purge,) = [
        d
        for d in data_sources("aws_iam_policy_document", MODULES / "functions")
        if d.name == "purge"
    ]
    # The purge's policy is its own statements plus the image store's shared ones.
    assert purge.body["source_policy_documents"] == [
        "${data.aws_iam_policy_document.image_store.json}"
    ]
    (image_store,) = [
        d
        for d in data_sources("aws_iam_policy_document", MODULES / "functions")
        if d.name == "image_store"
    ]
    actions = {a for doc in (purge, image_store) for s in _statements(doc) for a in s["actions"]}
    assert not actions & {"s3:GetObject", "s3:PutObject"}, "the purge never reads or writes images"
    assert not any(a.startswith("rekognition:") for a in actions)


def test_only_the_db_secret_is_readable() -> None:
    for document in data_sources("aws_iam_policy_document"):
        for statement in _statements(document):
            actions = resolve_list(statement.get("actions", []), document.module)
            if "secretsmanager:GetSecretValue" in actions:
                assert statement["resources"] != ["*"], document.address
                assert "secret" in str(statement["resources"]), document.address


# ---------------------------------------------------------------------------------------
# Monitoring (what each alarm watches is asserted by tofu test: modules/monitoring/tests)
# ---------------------------------------------------------------------------------------


def test_every_alarm_notifies_the_topic() -> None:
    for alarm in resources("aws_cloudwatch_metric_alarm"):
        assert alarm.body.get("alarm_actions") == "${local.actions}", alarm.address


# ---------------------------------------------------------------------------------------
# Everything tagged, nothing hard-coded
# ---------------------------------------------------------------------------------------


def test_every_taggable_resource_is_tagged() -> None:
    for block in resources():
        if block.type not in UNTAGGABLE:
            assert "tags" in block.body, f"{block.address} has no tags"


def test_no_hard_coded_account_ids_regions_or_arns() -> None:
    account = re.compile(r"(?<![0-9])[0-9]{12}(?![0-9])")
    region = re.compile(
        r"\b(us|eu|ap|sa|ca|me|af|il|mx)-(north|south|east|west|central)\w*-[0-9]\b"
    )
    literal_arn = re.compile(r'"arn:aws[a-z-]*:')
    for path in tf_files():
        text = path.read_text()
        where = path.relative_to(TERRAFORM)
        assert not account.search(text), f"{where}: account id"
        assert not region.search(text), f"{where}: region"
        assert not literal_arn.search(text), f"{where}: literal ARN (build it from aws_partition)"
