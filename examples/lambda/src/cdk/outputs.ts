/** Stack output names, read by the post-deploy registration step (`scripts/register.ts`). */
export const OUTPUTS = {
  functionVersionArn: "FunctionVersionArn",
  invokerRoleArn: "InvokerRoleArn",
  journalKeyArn: "JournalKeyArn",
} as const;
