import { parseArn } from "./arn.js";
import { InvokerRoleError, printable } from "./errors.js";
import type { WhoAmI } from "./sts.js";

/** Turns an assumed-role session ARN into the ARN of its role; other ARNs are returned as they are. */
export function principalOfCaller(callerArn: string): Pick<WhoAmI, "principalArn" | "kind" | "pathUnknown"> {
  const arn = parseArn(callerArn);
  if (arn.service === "sts" && arn.resource.startsWith("assumed-role/")) {
    const roleName = arn.resource.split("/")[1] ?? "";
    return {
      principalArn: `arn:${arn.partition}:iam::${arn.accountId}:role/${roleName}`,
      kind: "role",
      pathUnknown: true,
    };
  }
  if (arn.service === "sts" && arn.resource.startsWith("federated-user/")) {
    return { principalArn: callerArn, kind: "federated-user", pathUnknown: false };
  }
  if (arn.service === "iam" && arn.resource === "root")
    return { principalArn: callerArn, kind: "root", pathUnknown: false };
  if (arn.service === "iam" && arn.resource.startsWith("user/"))
    return { principalArn: callerArn, kind: "user", pathUnknown: false };
  if (arn.service === "iam" && arn.resource.startsWith("role/"))
    return { principalArn: callerArn, kind: "role", pathUnknown: false };
  return { principalArn: callerArn, kind: "other", pathUnknown: false };
}

/** Explains an STS failure in plain words (without credentials or tokens). */
export function explainStsError(error: unknown, roleArn: string): { errorName: string; message: string } {
  const name = error instanceof Error ? error.name : "UnknownError";
  const detail = error instanceof Error ? error.message : String(error);
  const known: Record<string, string> = {
    AccessDenied: `AWS refused to let the caller assume ${roleArn}: the role's trust policy does not allow this caller with this external id, or the caller's own policies do not allow sts:AssumeRole on it`,
    AccessDeniedException: `AWS refused to let the caller assume ${roleArn} (trust policy or caller permissions)`,
    ExpiredTokenException: "the caller's AWS session has expired; log in again",
    ExpiredToken: "the caller's AWS session has expired; log in again",
    InvalidClientTokenId: "the AWS access key is not valid (wrong key, deleted, or another partition)",
    SignatureDoesNotMatch: "the AWS secret key does not match the access key",
    RegionDisabledException: "STS is not activated in this region for the account; use another region",
    MalformedPolicyDocument: "the request was malformed",
    CredentialsProviderError: "no AWS credentials were found (set AWS_PROFILE or AWS_ACCESS_KEY_ID, or log in)",
    ValidationError: `AWS rejected the request as invalid: ${detail}`,
  };
  const networkCodes = ["ECONNREFUSED", "ENOTFOUND", "ETIMEDOUT", "ECONNRESET", "EAI_AGAIN"];
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string" && networkCodes.includes(code)) {
    return { errorName: code, message: `could not reach STS (${code}); check the network, region and endpoint` };
  }
  // The AWS SDK reports a missing region as a plain Error ("Region is missing") before any request.
  if (known[name] === undefined && /region is missing/i.test(detail)) {
    return { errorName: printable(name), message: "no AWS region is configured (set AWS_REGION, or give a region)" };
  }
  // Shown on a terminal by `verify`: what an STS endpoint answered (and the role ARN) is text,
  // never escape sequences.
  return { errorName: printable(name), message: printable(known[name] ?? `STS failed with ${name}: ${detail}`) };
}

const RETRYABLE = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "ETIMEDOUT",
  "ECONNRESET",
  "EAI_AGAIN",
  "Throttling",
  "ThrottlingException",
  "RequestLimitExceeded",
]);

/** An STS failure as an `InvokerRoleError` (`sts_failed`), retryable for network errors and throttling. */
export function stsFailure(error: unknown, roleArn: string): InvokerRoleError {
  const explained = explainStsError(error, roleArn);
  return new InvokerRoleError("sts_failed", explained.message, {
    retryable: RETRYABLE.has(explained.errorName),
    cause: error,
  });
}
