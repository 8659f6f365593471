region      = "eu-west-1"
environment = "dev"

tags = {
  Owner      = "faceauth-team"
  CostCenter = "faceauth-dev"
}

database = {
  instance_class      = "db.t4g.micro"
  multi_az            = false
  deletion_protection = false
  skip_final_snapshot = true
}

log_level          = "DEBUG"
log_retention_days = 14

compare = {
  reserved_concurrency = 10
}

usage_plan = {
  rate_limit  = 5
  burst_limit = 10
  quota_limit = 5000
}
