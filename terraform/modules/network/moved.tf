# The security group rules became two table-driven resources keyed by their former names:
# these keep the existing rules in state. Remove once both environments have applied this.

moved {
  from = aws_vpc_security_group_ingress_rule.database_from_lambda
  to   = aws_vpc_security_group_ingress_rule.this["database_from_lambda"]
}

moved {
  from = aws_vpc_security_group_ingress_rule.database_from_self
  to   = aws_vpc_security_group_ingress_rule.this["database_from_self"]
}

moved {
  from = aws_vpc_security_group_ingress_rule.endpoints_from_lambda
  to   = aws_vpc_security_group_ingress_rule.this["endpoints_from_lambda"]
}

moved {
  from = aws_vpc_security_group_ingress_rule.endpoints_from_database
  to   = aws_vpc_security_group_ingress_rule.this["endpoints_from_database"]
}

moved {
  from = aws_vpc_security_group_egress_rule.lambda_to_database
  to   = aws_vpc_security_group_egress_rule.this["lambda_to_database"]
}

moved {
  from = aws_vpc_security_group_egress_rule.lambda_to_endpoints
  to   = aws_vpc_security_group_egress_rule.this["lambda_to_endpoints"]
}

moved {
  from = aws_vpc_security_group_egress_rule.lambda_to_s3
  to   = aws_vpc_security_group_egress_rule.this["lambda_to_s3"]
}

moved {
  from = aws_vpc_security_group_egress_rule.database_to_self
  to   = aws_vpc_security_group_egress_rule.this["database_to_self"]
}

moved {
  from = aws_vpc_security_group_egress_rule.database_to_endpoints
  to   = aws_vpc_security_group_egress_rule.this["database_to_endpoints"]
}
