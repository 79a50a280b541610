import { KMSClient, type KMSClientConfig } from "@aws-sdk/client-kms";

export interface KmsCallCounts {
  attempted: Record<string, number>;
  succeeded: Record<string, number>;
  failed: Record<string, number>;
}

/** A KMS client whose commands are counted (per command, not per HTTP retry). */
export function countingKmsClient(config: KMSClientConfig) {
  const client = new KMSClient(config);
  const counts: KmsCallCounts = { attempted: {}, succeeded: {}, failed: {} };
  const bump = (map: Record<string, number>, name: string) => {
    map[name] = (map[name] ?? 0) + 1;
  };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = String(context.commandName).replace(/Command$/, "");
      bump(counts.attempted, name);
      try {
        const result = await next(args);
        bump(counts.succeeded, name);
        return result;
      } catch (error) {
        bump(counts.failed, name);
        throw error;
      }
    },
    { step: "initialize", name: "countCalls" },
  );
  return { client, counts };
}
