import { defineCommand } from "@restate-connect/cli-kit";
import { invokePolicy } from "../invoke-policy.js";
import { FUNCTION_OPTION, functionArns } from "./functions.js";

export const invokePolicyCommand = defineCommand({
  name: "invoke-policy",
  summary: "print the least-privilege lambda:InvokeFunction policy as JSON",
  options: { function: FUNCTION_OPTION },
  run(context) {
    const document = invokePolicy({ functionArns: functionArns(context) });
    context.print(() => JSON.stringify(document, null, 2), document);
    return 0;
  },
});
