data "aws_caller_identity" "current" {}

resource "aws_scheduler_schedule_group" "this" {
  name = var.name

  tags = var.tags
}

# Events the scheduler could not deliver to the purge (after its own retries) land here.
resource "aws_sqs_queue" "dlq" {
  name                      = "${var.name}-schedule-dlq"
  message_retention_seconds = 1209600 # 14 days: the maximum, to leave time to investigate
  sqs_managed_sse_enabled   = true

  tags = var.tags
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["scheduler.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

data "aws_iam_policy_document" "this" {
  statement {
    sid       = "InvokePurge"
    actions   = ["lambda:InvokeFunction"]
    resources = [var.function_arn]
  }

  statement {
    sid       = "SendUndeliveredToDlq"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.dlq.arn]
  }
}

resource "aws_iam_role" "this" {
  name               = "${var.name}-scheduler"
  description        = "Lets EventBridge Scheduler invoke the purge and use its dead-letter queue"
  assume_role_policy = data.aws_iam_policy_document.assume.json

  tags = var.tags
}

resource "aws_iam_role_policy" "this" {
  name   = "invoke-purge"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.this.json
}

resource "aws_scheduler_schedule" "purge" {
  #checkov:skip=CKV_AWS_297:The schedule holds only a constant input ({"source": "schedule"}); there is no data for a customer key to protect.
  name                         = "${var.name}-purge"
  group_name                   = aws_scheduler_schedule_group.this.name
  description                  = "Runs the faceauth purge once a day"
  schedule_expression          = var.schedule_expression
  schedule_expression_timezone = var.schedule_timezone
  state                        = var.enabled ? "ENABLED" : "DISABLED"

  flexible_time_window {
    mode = "OFF"
  }

  target {
    arn      = var.function_arn
    role_arn = aws_iam_role.this.arn
    input    = jsonencode({ source = "schedule" })

    retry_policy {
      maximum_event_age_in_seconds = 3600
      maximum_retry_attempts       = 3
    }

    dead_letter_config {
      arn = aws_sqs_queue.dlq.arn
    }
  }
}
