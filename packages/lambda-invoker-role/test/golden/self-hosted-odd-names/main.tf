resource "aws_iam_role" "restate_invoker" {
  name                 = "-restate+invoker=@,."
  path                 = "/team$$${a}%%{b}/\"q\"\\`x`/"
  max_session_duration = 3600
  assume_role_policy = jsonencode({
    "Version" = "2012-10-17"
    "Statement" = [
      {
        "Sid"    = "RestateServerAssumeRole"
        "Effect" = "Allow"
        "Principal" = {
          "AWS" = "arn:aws:iam::111122223333:role/$${aws:username}%%{if}'\"!/restate-server"
        }
        "Action" = "sts:AssumeRole"
        "Condition" = {
          "StringEquals" = {
            "sts:ExternalId" = "tenant:a/b=c"
          }
        }
      },
    ]
  })
  tags = {
    "note" = "line\u2028sep"
    "é"    = "日本 yes"
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
          "arn:aws:lambda:eu-west-1:111122223333:function:greeter:$LATEST",
        ]
      },
    ]
  })
}

output "restate_invoker_role_arn" {
  description = "Pass to: restate deployments register <function-arn> --assume-role-arn <this>"
  value       = aws_iam_role.restate_invoker.arn
}
