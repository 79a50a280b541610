/**
 * The CDK app (`npx cdk synth` / `npx cdk deploy`). Settings come from context values, see
 * `cdk.json` for working defaults and README.md for what each one means.
 */
import { App } from "aws-cdk-lib";
import { ExampleConfigError } from "../errors.ts";
import { RestateLambdaStack } from "./stack.ts";
import { targetFromContext } from "./target.ts";

const app = new App();
const get = (key: string): unknown => app.node.tryGetContext(key);
const keys = get("restate:identityKeys");
if (typeof keys !== "string" || keys.trim() === "") {
  throw new ExampleConfigError(
    "missing_setting",
    "context restate:identityKeys is required (comma-separated publickeyv1_… keys)",
  );
}

new RestateLambdaStack(app, (get("stackName") as string | undefined) ?? "RestateLambdaExample", {
  restate: targetFromContext(get),
  identityKeys: keys.split(",").map((key) => key.trim()),
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
app.synth();
