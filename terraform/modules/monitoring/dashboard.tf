locals {
  first_stage = sort(tolist(var.api_stages))[0]

  # Widgets fill a two-column grid in this order.
  widgets = [
    {
      title  = "Verifications by result"
      stat   = "Sum"
      period = 300
      metrics = [
        ["FaceAuth", "Verifications", "service", "compare", "Result", "PASS"],
        ["FaceAuth", "Verifications", "service", "compare", "Result", "FAIL"],
        ["FaceAuth", "Registrations", "service", "compare"],
      ]
    },
    {
      title  = "Similarity and face engine latency"
      stat   = "Average"
      period = 300
      metrics = [
        ["FaceAuth", "Similarity", "service", "compare", { stat = "p50", label = "similarity p50" }],
        ["FaceAuth", "Similarity", "service", "compare", { stat = "p10", label = "similarity p10" }],
        ["FaceAuth", "FaceEngineLatency", "service", "compare", { stat = "p99", label = "engine p99 (ms)", yAxis = "right" }],
      ]
    },
    {
      title  = "API ${local.first_stage}: requests, 4XX, 5XX"
      stat   = "Sum"
      period = 300
      metrics = [
        ["AWS/ApiGateway", "Count", "ApiName", var.api_name, "Stage", local.first_stage],
        ["AWS/ApiGateway", "4XXError", "ApiName", var.api_name, "Stage", local.first_stage],
        ["AWS/ApiGateway", "5XXError", "ApiName", var.api_name, "Stage", local.first_stage],
      ]
    },
    {
      title  = "Latency p99 (ms): API ${local.first_stage} and compare"
      stat   = "p99"
      period = 300
      metrics = [
        ["AWS/ApiGateway", "Latency", "ApiName", var.api_name, "Stage", local.first_stage],
        ["AWS/Lambda", "Duration", "FunctionName", local.compare],
      ]
    },
    {
      title  = "Lambda errors and throttles"
      stat   = "Sum"
      period = 300
      metrics = concat(
        [for name in values(var.function_names) : ["AWS/Lambda", "Errors", "FunctionName", name]],
        [for name in values(var.function_names) : ["AWS/Lambda", "Throttles", "FunctionName", name]],
      )
    },
    {
      title  = "Purge"
      stat   = "Sum"
      period = 3600
      metrics = [
        ["FaceAuth", "PurgeRuns", "service", "purge"],
        ["FaceAuth", "PurgedImages", "service", "purge", "Result", "PASS"],
        ["FaceAuth", "PurgedImages", "service", "purge", "Result", "FAIL"],
        ["FaceAuth", "PurgeErrors", "service", "purge"],
        ["FaceAuth", "PurgeRowsLeft", "service", "purge", { stat = "Maximum" }],
        ["FaceAuth", "PurgeLagSeconds", "service", "purge", { stat = "Maximum", yAxis = "right" }],
      ]
    },
    {
      title   = "Dead-letter queues (messages visible)"
      stat    = "Maximum"
      period  = 300
      metrics = [for name in values(var.dlq_names) : ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", name]]
    },
    {
      title  = "RDS ${var.db_instance_identifier}"
      stat   = "Average"
      period = 300
      metrics = [
        ["AWS/RDS", "CPUUtilization", "DBInstanceIdentifier", var.db_instance_identifier],
        ["AWS/RDS", "DatabaseConnections", "DBInstanceIdentifier", var.db_instance_identifier, { stat = "Maximum" }],
        ["AWS/RDS", "FreeStorageSpace", "DBInstanceIdentifier", var.db_instance_identifier, { stat = "Minimum", yAxis = "right" }],
      ]
    },
    {
      title  = "compare errors by code"
      stat   = "Sum"
      period = 300
      metrics = [
        [{ expression = "SEARCH('{FaceAuth,ErrorCode,service} MetricName=\"Errors\" service=\"compare\"', 'Sum', 300)", id = "errors" }],
      ]
    },
    {
      # Which dependency a DEPENDENCY_UNAVAILABLE came from: database, image_store,
      # face_engine, liveness (or the step a request ran out of time in).
      title  = "compare dependency faults"
      stat   = "Sum"
      period = 300
      metrics = [
        [{ expression = "SEARCH('{FaceAuth,Dependency,service} MetricName=\"DependencyFaults\" service=\"compare\"', 'Sum', 300)", id = "faults" }],
      ]
    },
  ]
}

resource "aws_cloudwatch_dashboard" "this" {
  dashboard_name = var.name
  dashboard_body = jsonencode({
    widgets = [
      for index, widget in local.widgets : {
        type       = "metric"
        x          = (index % 2) * 12
        y          = floor(index / 2) * 6
        width      = 12
        height     = 6
        properties = merge(widget, { region = local.region })
      }
    ]
  })
}
