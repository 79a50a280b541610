import { defineCommand } from "@restate-connect/cli-kit";
import { generateLocalKey } from "../local-key-provider.js";

export const generateKeyCommand = defineCommand({
  name: "generate-key",
  summary: "Print a new random 32-byte local key, base64 (store it in your secret manager)",
  run(context) {
    const key = generateLocalKey();
    context.print(() => key, { key });
    return 0;
  },
});
