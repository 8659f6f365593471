data "aws_availability_zones" "available" {
  #checkov:skip=CKV_AWS_394:Only the first var.az_count zones (sorted by name) are used, so a zone AWS adds later does not change the subnets.
  count = var.create_vpc ? 1 : 0

  state = "available"
}

# Splats, not [0]: `tofu test` evaluates these locals when it overrides the whole module, and
# then the module's resources have no instances (tests/stack.tftest.hcl does that).
locals {
  vpc_id             = var.create_vpc ? one(aws_vpc.this[*].id) : var.existing_vpc.vpc_id
  private_subnet_ids = var.create_vpc ? aws_subnet.private[*].id : var.existing_vpc.private_subnet_ids
  route_table_ids    = var.create_vpc ? aws_route_table.private[*].id : var.existing_vpc.route_table_ids
  # Zone names, sorted: private subnet i goes to zone i, so the first az_count zones are used.
  zones = one(data.aws_availability_zones.available[*].names)
}

################################################################################
# VPC (skipped when an existing VPC is given)
################################################################################

resource "aws_vpc" "this" {
  count = var.create_vpc ? 1 : 0

  cidr_block           = var.vpc_cidr
  enable_dns_support   = true
  enable_dns_hostnames = true # interface endpoints with private DNS need both

  tags = merge(var.tags, { Name = var.name })
}

# The default security group of a new VPC keeps no rules, so nothing can use it by accident.
resource "aws_default_security_group" "this" {
  count = var.create_vpc ? 1 : 0

  vpc_id = aws_vpc.this[0].id

  tags = merge(var.tags, { Name = "${var.name}-default-deny" })
}

# Private subnets only: the functions reach AWS services through VPC endpoints, never a NAT.
resource "aws_subnet" "private" {
  count = var.create_vpc ? var.az_count : 0

  vpc_id                  = aws_vpc.this[0].id
  availability_zone       = local.zones[count.index]
  cidr_block              = cidrsubnet(var.vpc_cidr, var.subnet_newbits, count.index)
  map_public_ip_on_launch = false

  tags = merge(var.tags, { Name = "${var.name}-private-${local.zones[count.index]}" })
}

resource "aws_route_table" "private" {
  count = var.create_vpc ? var.az_count : 0

  vpc_id = aws_vpc.this[0].id

  tags = merge(var.tags, { Name = "${var.name}-private-${local.zones[count.index]}" })
}

resource "aws_route_table_association" "private" {
  count = var.create_vpc ? var.az_count : 0

  subnet_id      = aws_subnet.private[count.index].id
  route_table_id = aws_route_table.private[count.index].id
}

################################################################################
# Flow logs
################################################################################

resource "aws_cloudwatch_log_group" "flow_logs" {
  #checkov:skip=CKV_AWS_338:Retention is set per environment (var.flow_log_retention_days); a year of flow logs is not needed for this private, endpoint-only VPC.
  count = var.create_vpc && var.enable_flow_logs ? 1 : 0

  name              = "/aws/vpc/${var.name}/flow-logs"
  retention_in_days = var.flow_log_retention_days
  kms_key_id        = var.log_kms_key_arn

  tags = var.tags
}

data "aws_iam_policy_document" "flow_logs_assume" {
  count = var.create_vpc && var.enable_flow_logs ? 1 : 0

  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["vpc-flow-logs.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "flow_logs" {
  count = var.create_vpc && var.enable_flow_logs ? 1 : 0

  statement {
    sid = "WriteFlowLogs"
    actions = [
      "logs:CreateLogStream",
      "logs:DescribeLogStreams",
      "logs:PutLogEvents",
    ]
    resources = ["${aws_cloudwatch_log_group.flow_logs[0].arn}:*"]
  }
}

resource "aws_iam_role" "flow_logs" {
  count = var.create_vpc && var.enable_flow_logs ? 1 : 0

  name               = "${var.name}-flow-logs"
  assume_role_policy = data.aws_iam_policy_document.flow_logs_assume[0].json

  tags = var.tags
}

resource "aws_iam_role_policy" "flow_logs" {
  count = var.create_vpc && var.enable_flow_logs ? 1 : 0

  name   = "write-flow-logs"
  role   = aws_iam_role.flow_logs[0].id
  policy = data.aws_iam_policy_document.flow_logs[0].json
}

resource "aws_flow_log" "this" {
  count = var.create_vpc && var.enable_flow_logs ? 1 : 0

  vpc_id               = aws_vpc.this[0].id
  traffic_type         = "REJECT"
  log_destination_type = "cloud-watch-logs"
  log_destination      = aws_cloudwatch_log_group.flow_logs[0].arn
  iam_role_arn         = aws_iam_role.flow_logs[0].arn

  tags = var.tags
}

################################################################################
# Security groups: functions -> database (3306), functions/database -> endpoints (443)
################################################################################

resource "aws_security_group" "lambda" {
  #checkov:skip=CKV2_AWS_5:Attached to every Lambda function by the functions module (checkov does not follow module outputs).
  name        = "${var.name}-lambda"
  description = "faceauth Lambda functions: egress only to the database, the VPC endpoints and S3"
  vpc_id      = local.vpc_id

  tags = merge(var.tags, { Name = "${var.name}-lambda" })
}

resource "aws_security_group" "database" {
  #checkov:skip=CKV2_AWS_5:Attached to the RDS instance and RDS Proxy by the database module (checkov does not follow module outputs).
  name        = "${var.name}-database"
  description = "faceauth RDS MySQL and RDS Proxy: MySQL only from the Lambda functions"
  vpc_id      = local.vpc_id

  tags = merge(var.tags, { Name = "${var.name}-database" })
}

resource "aws_security_group" "endpoints" {
  name        = "${var.name}-endpoints"
  description = "faceauth interface VPC endpoints: HTTPS from the functions and the RDS Proxy"
  vpc_id      = local.vpc_id

  tags = merge(var.tags, { Name = "${var.name}-endpoints" })
}

locals {
  security_group_ids = {
    lambda    = aws_security_group.lambda.id
    database  = aws_security_group.database.id
    endpoints = aws_security_group.endpoints.id
  }

  # One rule per entry, by its name: TCP on `port` into (ingress) or out of (egress) `group`,
  # from or to the security group `peer`; lambda_to_s3 goes to the S3 prefix list instead.
  # RDS Proxy shares the database group: it connects to the instance and reads the secret.
  ingress_rules = {
    database_from_lambda    = { group = "database", port = 3306, peer = "lambda", description = "MySQL from the Lambda functions" }
    database_from_self      = { group = "database", port = 3306, peer = "database", description = "MySQL from RDS Proxy to the instance" }
    endpoints_from_lambda   = { group = "endpoints", port = 443, peer = "lambda", description = "HTTPS from the Lambda functions" }
    endpoints_from_database = { group = "endpoints", port = 443, peer = "database", description = "HTTPS from RDS Proxy" }
  }

  egress_rules = {
    lambda_to_database    = { group = "lambda", port = 3306, peer = "database", prefix_list_id = null, description = "MySQL to RDS or RDS Proxy" }
    lambda_to_endpoints   = { group = "lambda", port = 443, peer = "endpoints", prefix_list_id = null, description = "HTTPS to the interface VPC endpoints" }
    lambda_to_s3          = { group = "lambda", port = 443, peer = null, prefix_list_id = aws_vpc_endpoint.s3.prefix_list_id, description = "HTTPS to S3 through the gateway endpoint" }
    database_to_self      = { group = "database", port = 3306, peer = "database", prefix_list_id = null, description = "MySQL from RDS Proxy to the instance" }
    database_to_endpoints = { group = "database", port = 443, peer = "endpoints", prefix_list_id = null, description = "HTTPS from RDS Proxy to the Secrets Manager endpoint" }
  }
}

resource "aws_vpc_security_group_ingress_rule" "this" {
  for_each = local.ingress_rules

  security_group_id            = local.security_group_ids[each.value.group]
  description                  = each.value.description
  ip_protocol                  = "tcp"
  from_port                    = each.value.port
  to_port                      = each.value.port
  referenced_security_group_id = local.security_group_ids[each.value.peer]

  tags = var.tags
}

resource "aws_vpc_security_group_egress_rule" "this" {
  for_each = local.egress_rules

  security_group_id            = local.security_group_ids[each.value.group]
  description                  = each.value.description
  ip_protocol                  = "tcp"
  from_port                    = each.value.port
  to_port                      = each.value.port
  referenced_security_group_id = each.value.peer == null ? null : local.security_group_ids[each.value.peer]
  prefix_list_id               = each.value.prefix_list_id

  tags = var.tags
}

################################################################################
# VPC endpoints
################################################################################

data "aws_vpc_endpoint_service" "s3" {
  service      = "s3"
  service_type = "Gateway"
}

resource "aws_vpc_endpoint" "s3" {
  vpc_id            = local.vpc_id
  service_name      = data.aws_vpc_endpoint_service.s3.service_name
  vpc_endpoint_type = "Gateway"
  route_table_ids   = local.route_table_ids

  tags = merge(var.tags, { Name = "${var.name}-s3" })
}

data "aws_vpc_endpoint_service" "interface" {
  for_each = var.interface_endpoint_services

  service      = each.key
  service_type = "Interface"
}

resource "aws_vpc_endpoint" "interface" {
  for_each = var.interface_endpoint_services

  vpc_id              = local.vpc_id
  service_name        = data.aws_vpc_endpoint_service.interface[each.key].service_name
  vpc_endpoint_type   = "Interface"
  subnet_ids          = local.private_subnet_ids
  security_group_ids  = [aws_security_group.endpoints.id]
  private_dns_enabled = true

  tags = merge(var.tags, { Name = "${var.name}-${each.key}" })
}
