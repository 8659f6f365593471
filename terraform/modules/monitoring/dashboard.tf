locals {
  first_stage = sort(tolist(var.api_stages))[0]

  dashboard_widgets = [
    {
      type = "metric", x = 0, y = 0, width = 12, height = 6
      properties = {
        title  = "Verifications by result"
        region = local.region
        stat   = "Sum"
        period = 300
        metrics = [
          ["FaceAuth", "Verifications", "service", "compare", "Result", "PASS"],
          ["FaceAuth", "Verifications", "service", "compare", "Result", "FAIL"],
          ["FaceAuth", "Registrations", "service", "compare"],
        ]
      }
    },
    {
      type = "metric", x = 12, y = 0, width = 12, height = 6
      properties = {
        title  = "Similarity and face engine latency"
        region = local.region
        period = 300
        metrics = [
          ["FaceAuth", "Similarity", "service", "compare", { stat = "p50", label = "similarity p50" }],
          ["FaceAuth", "Similarity", "service", "compare", { stat = "p10", label = "similarity p10" }],
          ["FaceAuth", "FaceEngineLatency", "service", "compare", { stat = "p99", label = "engine p99 (ms)", yAxis = "right" }],
        ]
      }
    },
    {
      type = "metric", x = 0, y = 6, width = 12, height = 6
      properties = {
        title  = "API ${local.first_stage}: requests, 4XX, 5XX"
        region = local.region
        stat   = "Sum"
        period = 300
        metrics = [
          ["AWS/ApiGateway", "Count", "ApiName", var.api_name, "Stage", local.first_stage],
          ["AWS/ApiGateway", "4XXError", "ApiName", var.api_name, "Stage", local.first_stage],
          ["AWS/ApiGateway", "5XXError", "ApiName", var.api_name, "Stage", local.first_stage],
        ]
      }
    },
    {
      type = "metric", x = 12, y = 6, width = 12, height = 6
      properties = {
        title  = "Latency p99 (ms): API ${local.first_stage} and compare"
        region = local.region
        period = 300
        metrics = [
          ["AWS/ApiGateway", "Latency", "ApiName", var.api_name, "Stage", local.first_stage, { stat = "p99" }],
          ["AWS/Lambda", "Duration", "FunctionName", local.compare, { stat = "p99" }],
        ]
        annotations = {
          horizontal = [{ label = "compare p99 alarm", value = var.thresholds.compare_p99_duration_ms }]
        }
      }
    },
    {
      type = "metric", x = 0, y = 12, width = 12, height = 6
      properties = {
        title   = "Lambda errors and throttles"
        region  = local.region
        stat    = "Sum"
        period  = 300
        metrics = concat(
          [for name in values(var.function_names) : ["AWS/Lambda", "Errors", "FunctionName", name]],
          [for name in values(var.function_names) : ["AWS/Lambda", "Throttles", "FunctionName", name]],
        )
      }
    },
    {
      type = "metric", x = 12, y = 12, width = 12, height = 6
      properties = {
        title  = "Purge"
        region = local.region
        period = 3600
        metrics = [
          ["FaceAuth", "PurgeRuns", "service", "purge", { stat = "Sum" }],
          ["FaceAuth", "PurgedImages", "service", "purge", "Result", "PASS", { stat = "Sum" }],
          ["FaceAuth", "PurgedImages", "service", "purge", "Result", "FAIL", { stat = "Sum" }],
          ["FaceAuth", "PurgeErrors", "service", "purge", { stat = "Sum" }],
          ["FaceAuth", "PurgeRowsLeft", "service", "purge", { stat = "Maximum" }],
          ["FaceAuth", "PurgeLagSeconds", "service", "purge", { stat = "Maximum", yAxis = "right" }],
        ]
      }
    },
    {
      type = "metric", x = 0, y = 18, width = 12, height = 6
      properties = {
        title  = "Dead-letter queues (messages visible)"
        region = local.region
        stat   = "Maximum"
        period = 300
        metrics = [for name in values(var.dlq_names) : ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", name]]
      }
    },
    {
      type = "metric", x = 12, y = 18, width = 12, height = 6
      properties = {
        title  = "RDS ${var.db_instance_identifier}"
        region = local.region
        period = 300
        metrics = [
          ["AWS/RDS", "CPUUtilization", "DBInstanceIdentifier", var.db_instance_identifier, { stat = "Average" }],
          ["AWS/RDS", "DatabaseConnections", "DBInstanceIdentifier", var.db_instance_identifier, { stat = "Maximum" }],
          ["AWS/RDS", "FreeStorageSpace", "DBInstanceIdentifier", var.db_instance_identifier, { stat = "Minimum", yAxis = "right" }],
        ]
      }
    },
    {
      type = "metric", x = 0, y = 24, width = 24, height = 6
      properties = {
        title  = "compare errors by code"
        region = local.region
        stat   = "Sum"
        period = 300
        metrics = [
          [{ expression = "SEARCH('{FaceAuth,ErrorCode,service} MetricName=\"Errors\" service=\"compare\"', 'Sum', 300)", id = "errors", label = "" }],
        ]
      }
    },
  ]
}

resource "aws_cloudwatch_dashboard" "this" {
  dashboard_name = var.name
  dashboard_body = jsonencode({ widgets = local.dashboard_widgets })
}
