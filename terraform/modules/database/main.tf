data "aws_partition" "current" {}
data "aws_region" "current" {}

module "kms" {
  source = "../kms"

  name        = "${var.name}-database"
  description = "faceauth ${var.name}: RDS storage, Performance Insights and the master user secret"

  tags = var.tags
}

resource "aws_db_subnet_group" "this" {
  name        = var.name
  description = "Private subnets of the faceauth database"
  subnet_ids  = var.subnet_ids

  tags = var.tags
}

# name_prefix, not name: create_before_destroy creates the replacement while the old group
# still exists, and two groups cannot share a name.
resource "aws_db_parameter_group" "this" {
  name_prefix = "${var.name}-mysql80-"
  family      = "mysql8.0"
  description = "faceauth: TLS required for every connection"

  parameter {
    name         = "require_secure_transport"
    value        = "1" # ON
    apply_method = "immediate"
  }

  tags = var.tags

  lifecycle {
    create_before_destroy = true
  }
}

################################################################################
# Enhanced monitoring (optional)
################################################################################

data "aws_iam_policy_document" "monitoring_assume" {
  count = var.monitoring_interval > 0 ? 1 : 0

  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["monitoring.rds.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "monitoring" {
  count = var.monitoring_interval > 0 ? 1 : 0

  name               = "${var.name}-rds-monitoring"
  assume_role_policy = data.aws_iam_policy_document.monitoring_assume[0].json

  tags = var.tags
}

resource "aws_iam_role_policy_attachment" "monitoring" {
  count = var.monitoring_interval > 0 ? 1 : 0

  role       = aws_iam_role.monitoring[0].name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
}

################################################################################
# Instance
################################################################################

resource "aws_db_instance" "this" {
  #checkov:skip=CKV_AWS_157:Multi-AZ is switched per environment by var.multi_az (on in prod, off in dev to halve the cost).
  #checkov:skip=CKV_AWS_293:Deletion protection is switched per environment by var.deletion_protection (on in prod).
  #checkov:skip=CKV_AWS_118:Enhanced monitoring is optional per environment (var.monitoring_interval, on in prod).
  #checkov:skip=CKV_AWS_133:Backups are on: backup_retention_period comes from var.backup_retention_period, validated to 1-35 days (checkov cannot resolve it through the environment's object variable).
  identifier     = var.name
  engine         = "mysql"
  engine_version = var.engine_version
  instance_class = var.instance_class

  db_name  = var.database_name
  username = var.master_username
  port     = 3306

  manage_master_user_password   = true
  master_user_secret_kms_key_id = module.kms.key_arn

  allocated_storage     = var.allocated_storage
  max_allocated_storage = var.max_allocated_storage
  storage_type          = "gp3"
  storage_encrypted     = true
  kms_key_id            = module.kms.key_arn

  db_subnet_group_name   = aws_db_subnet_group.this.name
  vpc_security_group_ids = [var.security_group_id]
  publicly_accessible    = false
  network_type           = "IPV4"
  ca_cert_identifier     = var.ca_cert_identifier
  parameter_group_name   = aws_db_parameter_group.this.name

  iam_database_authentication_enabled = true
  multi_az                            = var.multi_az
  deletion_protection                 = var.deletion_protection
  skip_final_snapshot                 = var.skip_final_snapshot
  final_snapshot_identifier           = var.skip_final_snapshot ? null : "${var.name}-final"
  copy_tags_to_snapshot               = true
  delete_automated_backups            = false
  backup_retention_period             = var.backup_retention_period
  backup_window                       = var.backup_window
  maintenance_window                  = var.maintenance_window
  auto_minor_version_upgrade          = true
  apply_immediately                   = var.apply_immediately
  enabled_cloudwatch_logs_exports     = ["error", "slowquery", "iam-db-auth-error"]

  performance_insights_enabled          = var.performance_insights_enabled
  performance_insights_kms_key_id       = var.performance_insights_enabled ? module.kms.key_arn : null
  performance_insights_retention_period = var.performance_insights_enabled ? 7 : null

  monitoring_interval = var.monitoring_interval
  monitoring_role_arn = var.monitoring_interval > 0 ? aws_iam_role.monitoring[0].arn : null

  tags = var.tags
}

################################################################################
# RDS Proxy (optional): pools connections when many compare instances run at once
################################################################################

data "aws_iam_policy_document" "proxy_assume" {
  count = var.enable_proxy ? 1 : 0

  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["rds.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "proxy" {
  count = var.enable_proxy ? 1 : 0

  statement {
    sid       = "ReadMasterSecret"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [aws_db_instance.this.master_user_secret[0].secret_arn]
  }

  statement {
    sid       = "DecryptMasterSecret"
    actions   = ["kms:Decrypt"]
    resources = [module.kms.key_arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["secretsmanager.${data.aws_region.current.region}.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "proxy" {
  count = var.enable_proxy ? 1 : 0

  name               = "${var.name}-rds-proxy"
  assume_role_policy = data.aws_iam_policy_document.proxy_assume[0].json

  tags = var.tags
}

resource "aws_iam_role_policy" "proxy" {
  count = var.enable_proxy ? 1 : 0

  name   = "read-master-secret"
  role   = aws_iam_role.proxy[0].id
  policy = data.aws_iam_policy_document.proxy[0].json
}

resource "aws_db_proxy" "this" {
  count = var.enable_proxy ? 1 : 0

  name                   = var.name
  engine_family          = "MYSQL"
  require_tls            = true
  idle_client_timeout    = 1800
  debug_logging          = false
  role_arn               = aws_iam_role.proxy[0].arn
  vpc_subnet_ids         = var.subnet_ids
  vpc_security_group_ids = [var.security_group_id]

  auth {
    auth_scheme = "SECRETS"
    description = "RDS-managed master user secret"
    iam_auth    = "DISABLED"
    secret_arn  = aws_db_instance.this.master_user_secret[0].secret_arn
  }

  tags = var.tags
}

resource "aws_db_proxy_default_target_group" "this" {
  count = var.enable_proxy ? 1 : 0

  db_proxy_name = aws_db_proxy.this[0].name

  connection_pool_config {
    max_connections_percent      = var.proxy_max_connections_percent
    max_idle_connections_percent = 50
    connection_borrow_timeout    = 10
  }
}

resource "aws_db_proxy_target" "this" {
  count = var.enable_proxy ? 1 : 0

  db_proxy_name          = aws_db_proxy.this[0].name
  target_group_name      = aws_db_proxy_default_target_group.this[0].name
  db_instance_identifier = aws_db_instance.this.identifier
}
