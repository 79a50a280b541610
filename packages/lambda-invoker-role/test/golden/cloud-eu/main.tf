resource "aws_iam_role" "restate_invoker" {
  name                 = "restate-cloud-eu-invoker"
  path                 = "/"
  max_session_duration = 7200
  assume_role_policy = jsonencode({
    "Version" = "2012-10-17"
    "Statement" = [
      {
        "Sid"    = "RestateCloudAssumeRole"
        "Effect" = "Allow"
        "Principal" = {
          "AWS" = "arn:aws:iam::654654156625:root"
        }
        "Action" = "sts:AssumeRole"
        "Condition" = {
          "StringEquals" = {
            "aws:PrincipalArn" = "arn:aws:iam::654654156625:role/RestateCloud"
            "sts:ExternalId"   = "env_201hy10cd3h6426jy80tb32n6en"
          }
        }
      },
      {
        "Sid"    = "RestateCloudTagSession"
        "Effect" = "Allow"
        "Principal" = {
          "AWS" = "arn:aws:iam::654654156625:root"
        }
        "Action" = "sts:TagSession"
        "Condition" = {
          "StringEquals" = {
            "aws:PrincipalArn" = "arn:aws:iam::654654156625:role/RestateCloud"
          }
        }
      },
    ]
  })
  tags = {
    "team"        = "payments"
    "cost center" = "ops @ 42/b=c"
  }
}

resource "aws_iam_role_policy" "restate_invoke" {
  name = "restate-invoke"
  role = aws_iam_role.restate_invoker.id
  policy = jsonencode({
    "Version" = "2012-10-17"
    "Statement" = [
      {
        "Sid"    = "InvokeRestateServices"
        "Effect" = "Allow"
        "Action" = "lambda:InvokeFunction"
        "Resource" = [
          "arn:aws:lambda:eu-central-1:111122223333:function:greeter",
          "arn:aws:lambda:eu-central-1:111122223333:function:greeter:*",
          "arn:aws:lambda:eu-central-1:111122223333:function:checkout:live",
        ]
      },
    ]
  })
}

output "restate_invoker_role_arn" {
  description = "Pass to: restate deployments register <function-arn> --assume-role-arn <this>"
  value       = aws_iam_role.restate_invoker.arn
}
