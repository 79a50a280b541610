/**
 * AWS SDK failures of KMS calls, mapped to this package's errors: transient ones to
 * `provider_unavailable` (retried), the rest to `provider_error`, each explained in words.
 * Internal: imported by `kms.ts` only, so it is not part of the `/kms` entry point's API.
 */
import { JournalEncryptionError } from "./errors.js";

const TRANSIENT_ERROR_NAMES = new Set([
  "ThrottlingException",
  "KMSInternalException",
  "DependencyTimeoutException",
  "LimitExceededException",
  "RequestLimitExceeded",
  "ServiceUnavailable",
  "ServiceUnavailableException",
  "InternalFailure",
  "TimeoutError",
  "RequestTimeout",
  "RequestTimeoutException",
]);

const NETWORK_ERROR_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ECONNABORTED",
]);

function describeKmsFailure(
  name: string,
  code: string | undefined,
  message: string,
  operation: string,
): string | undefined {
  if (/region is missing/i.test(message)) {
    return "no AWS region is configured (set AWS_REGION or pass a KMSClient with a region)";
  }
  if (/region not accepted|invalid region/i.test(message))
    return "the configured AWS region is not a valid region name";
  if (code === "ERR_INVALID_URL") return "the configured KMS endpoint is not a valid URL";
  if (name === "CredentialsProviderError" || /could not load credentials/i.test(message)) {
    return "no AWS credentials were found (environment, profile, or the runtime's role)";
  }
  if (name === "UnrecognizedClientException" || name === "InvalidSignatureException") {
    return "KMS did not accept the AWS credentials (unknown access key or wrong secret)";
  }
  if (name === "ExpiredTokenException") return "the AWS session credentials have expired";
  if (code !== undefined && NETWORK_ERROR_CODES.has(code)) {
    return `the KMS endpoint could not be reached (${code})`;
  }
  if (name === "TimeoutError" || name === "RequestTimeout") return "the KMS endpoint did not answer in time";
  if (name === "DisabledException") return "the KMS key is disabled";
  if (name === "KMSInvalidStateException")
    return "the KMS key is not usable in its current state (pending deletion or import)";
  if (name === "NotFoundException") return "the KMS key does not exist in this account and region";
  if (name === "AccessDeniedException")
    return `the caller is not allowed kms:${operation} on this key (or the key does not exist)`;
  if (name === "IncorrectKeyException") return "the wrapped data key was made under a different KMS key";
  if (name === "InvalidCiphertextException") {
    return "KMS could not decrypt the wrapped data key: a different encryption context, or the wrapped key was modified";
  }
  if (name === "InvalidKeyUsageException") return "the KMS key is not a symmetric ENCRYPT_DECRYPT key";
  if (name === "ThrottlingException" || name === "LimitExceededException") return "KMS throttled the request";
  return undefined;
}

/**
 * Maps an AWS SDK failure to `provider_unavailable` (retry) or `provider_error`, with a message that
 * says what is wrong in words (region missing, no credentials, endpoint unreachable, key disabled,
 * wrong encryption context…). Never echoes key material or the SDK's message text.
 */
export function classifyKmsError(error: unknown, operation: string): JournalEncryptionError {
  const details = error as {
    name?: string;
    code?: string;
    $metadata?: { httpStatusCode?: number };
    $retryable?: unknown;
    message?: string;
    cause?: { code?: string };
  };
  // The error name is the `__type` a KMS endpoint (or whatever answers in its place) sent: only a
  // name-shaped one is repeated.
  const sentName = details?.name ?? "Error";
  const name =
    typeof sentName === "string" && /^[A-Za-z][\w.:#-]{0,99}$/.test(sentName) ? sentName : "UnrecognisedError";
  const sentStatus = details?.$metadata?.httpStatusCode;
  const status = Number.isInteger(sentStatus) ? sentStatus : undefined;
  const message = typeof details?.message === "string" ? details.message : "";
  const networkCode = details?.code ?? details?.cause?.code;
  // Configuration mistakes surface as plain Errors/TypeErrors without an HTTP status, like network
  // failures do; waited out as transient, a decode would retry them forever.
  const configuration =
    /region is missing|region not accepted|invalid region/i.test(message) ||
    networkCode === "ERR_INVALID_URL" ||
    name === "CredentialsProviderError";
  const transient =
    !configuration &&
    (TRANSIENT_ERROR_NAMES.has(name) ||
      (networkCode !== undefined && NETWORK_ERROR_CODES.has(networkCode)) ||
      details?.$retryable !== undefined ||
      (status !== undefined && status >= 500) ||
      (status === undefined && (name === "Error" || name === "TypeError" || /socket|network|connect/i.test(message))));
  const code = transient ? "provider_unavailable" : "provider_error";
  const reason = describeKmsFailure(name, networkCode, message, operation);
  const what = `${name}${status ? `, HTTP ${status}` : ""}`;
  return new JournalEncryptionError(
    code,
    reason === undefined ? `KMS ${operation} failed (${what})` : `KMS ${operation} failed: ${reason} (${what})`,
    { cause: error },
  );
}
