/**
 * The KMS encryption context of every data key this service asks for. KMS binds it to the wrapped
 * key, and the key policy in the CDK app requires it (`kms:EncryptionContext:<key>`), so the function's
 * role can use the key for this purpose and nothing else.
 */
export const JOURNAL_ENCRYPTION_CONTEXT: Readonly<Record<string, string>> = Object.freeze({
  purpose: "restate-journal",
  application: "restate-lambda-example",
});

/** The key policy condition matching {@link JOURNAL_ENCRYPTION_CONTEXT} exactly. */
export function encryptionContextCondition(
  context: Readonly<Record<string, string>> = JOURNAL_ENCRYPTION_CONTEXT,
): Record<string, string> {
  return Object.fromEntries(Object.entries(context).map(([key, value]) => [`kms:EncryptionContext:${key}`, value]));
}
