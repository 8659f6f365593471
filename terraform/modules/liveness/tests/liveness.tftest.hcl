mock_provider "aws" {
  mock_data "aws_region" {
    defaults = {
      region = "eu-west-1"
    }
  }

  mock_data "aws_iam_policy_document" {
    defaults = {
      json = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"sts:AssumeRoleWithWebIdentity\",\"Principal\":{\"Federated\":\"cognito-identity.amazonaws.com\"}}]}"
    }
  }

  mock_resource "aws_cognito_identity_pool" {
    defaults = {
      id  = "eu-west-1:00000000-0000-0000-0000-000000000000"
      arn = "arn:aws:cognito-identity:eu-west-1:111122223333:identitypool/eu-west-1:00000000-0000-0000-0000-000000000000"
    }
  }

  mock_resource "aws_iam_role" {
    defaults = {
      arn = "arn:aws:iam::111122223333:role/faceauth-test-liveness-guest"
    }
  }
}

variables {
  name = "faceauth-test"
  tags = { Project = "faceauth" }
}

run "guests_may_only_stream_face_liveness_video" {
  command = plan

  assert {
    condition     = length(data.aws_iam_policy_document.guest.statement) == 1 && toset(data.aws_iam_policy_document.guest.statement[0].actions) == toset(["rekognition:StartFaceLivenessSession"])
    error_message = "The guest role allows rekognition:StartFaceLivenessSession and nothing else."
  }

  assert {
    condition     = toset(data.aws_iam_policy_document.guest.statement[0].resources) == toset(["*"]) && coalesce(data.aws_iam_policy_document.guest.statement[0].effect, "Allow") == "Allow" && data.aws_iam_policy_document.guest.statement[0].not_actions == null
    error_message = "One Allow on \"*\" (the action has no resource-level permissions)."
  }

  assert {
    condition     = aws_iam_role_policy.guest.role == aws_iam_role.guest.id && aws_iam_role_policy.guest.policy == data.aws_iam_policy_document.guest.json
    error_message = "That document is the guest role's policy."
  }
}

run "only_guests_of_this_pool_may_take_the_role" {
  command = plan

  assert {
    condition     = one(data.aws_iam_policy_document.guest_assume.statement).actions == toset(["sts:AssumeRoleWithWebIdentity"]) && one(one(data.aws_iam_policy_document.guest_assume.statement).principals).identifiers == toset(["cognito-identity.amazonaws.com"])
    error_message = "Cognito federated identities assume the role with a web identity."
  }

  assert {
    condition     = anytrue([for c in one(data.aws_iam_policy_document.guest_assume.statement).condition : c.test == "StringEquals" && c.variable == "cognito-identity.amazonaws.com:aud" && c.values == tolist([aws_cognito_identity_pool.this.id])])
    error_message = "The trust is conditioned on this pool's id (aud)."
  }

  assert {
    condition     = anytrue([for c in one(data.aws_iam_policy_document.guest_assume.statement).condition : c.test == "ForAnyValue:StringLike" && c.variable == "cognito-identity.amazonaws.com:amr" && c.values == tolist(["unauthenticated"])])
    error_message = "The trust admits guests only (amr unauthenticated)."
  }

  assert {
    condition     = aws_cognito_identity_pool_roles_attachment.this.roles == tomap({ unauthenticated = aws_iam_role.guest.arn })
    error_message = "The pool gives its guests this role, and has no authenticated role."
  }
}

run "the_pool_admits_guests_through_the_enhanced_flow_only" {
  command = plan

  assert {
    condition     = aws_cognito_identity_pool.this.allow_unauthenticated_identities && !aws_cognito_identity_pool.this.allow_classic_flow
    error_message = "Guests yes; the classic (basic) flow, which skips Cognito's scope-down policy, no."
  }

  assert {
    condition     = aws_cognito_identity_pool.this.identity_pool_name == "faceauth-test-liveness" && aws_cognito_identity_pool.this.tags == tomap({ Project = "faceauth" }) && aws_iam_role.guest.tags == tomap({ Project = "faceauth" })
    error_message = "Named after the environment and tagged."
  }

  assert {
    condition     = output.identity_pool_id == aws_cognito_identity_pool.this.id && output.region == "eu-west-1"
    error_message = "The app gets the pool id and the region."
  }
}
