/**
 * Post-deploy registration, run after `cdk deploy --outputs-file cdk-outputs.json`:
 *
 *   RESTATE_ADMIN_URL=https://<env>.env.us.restate.cloud:9070 RESTATE_AUTH_TOKEN=key_… \
 *     node scripts/register.ts cdk-outputs.json [StackName]
 */
import { readFileSync } from "node:fs";
import { OUTPUTS } from "../src/cdk/outputs.ts";
import { registerFunction } from "../src/register.ts";

const [outputsFile, stackName = "RestateLambdaExample"] = process.argv.slice(2);
const adminUrl = process.env.RESTATE_ADMIN_URL;
if (!outputsFile || !adminUrl) {
  console.error(
    "usage: RESTATE_ADMIN_URL=… [RESTATE_AUTH_TOKEN=…] node scripts/register.ts <cdk-outputs.json> [stack name]",
  );
  process.exit(2);
}
const outputs = (JSON.parse(readFileSync(outputsFile, "utf8")) as Record<string, Record<string, string>>)[stackName];
const functionVersionArn = outputs?.[OUTPUTS.functionVersionArn];
const invokerRoleArn = outputs?.[OUTPUTS.invokerRoleArn];
if (!functionVersionArn || !invokerRoleArn) {
  console.error(
    `${outputsFile} has no ${OUTPUTS.functionVersionArn}/${OUTPUTS.invokerRoleArn} outputs for stack ${stackName}`,
  );
  process.exit(2);
}
try {
  const result = await registerFunction({
    adminUrl,
    functionVersionArn,
    invokerRoleArn,
    ...(process.env.RESTATE_AUTH_TOKEN ? { token: process.env.RESTATE_AUTH_TOKEN } : {}),
  });
  console.log(
    `registered ${functionVersionArn} as ${result.id}: ${result.services.map((service) => service.name).join(", ")}`,
  );
} catch (error) {
  console.error(`registration failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
