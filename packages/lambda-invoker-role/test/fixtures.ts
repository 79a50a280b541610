import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import { type InvokerRoleSpec, invokerRole, restateCloudTrustPolicy, selfHostedTrustPolicy } from "../src/index.js";

export const ENV_ID = "env_201hy10cd3h6426jy80tb32n6en";
export const ACCOUNT = "111122223333";

/** The role specs every renderer is checked with: both trust kinds, each partition, tags and paths. */
export const SPECS: Record<string, () => InvokerRoleSpec> = {
  "cloud-us": () =>
    invokerRole({
      trustPolicy: restateCloudTrustPolicy({ environmentId: ENV_ID }),
      functionArns: [`arn:aws:lambda:us-east-1:${ACCOUNT}:function:greeter`],
    }),
  "cloud-eu": () =>
    invokerRole({
      roleName: "restate-cloud-eu-invoker",
      trustPolicy: restateCloudTrustPolicy({ environmentId: ENV_ID }),
      functionArns: [
        `arn:aws:lambda:eu-central-1:${ACCOUNT}:function:greeter`,
        `arn:aws:lambda:eu-central-1:${ACCOUNT}:function:checkout:live`,
      ],
      tags: { team: "payments", "cost center": "ops @ 42/b=c" },
      maxSessionDuration: 7200,
    }),
  "self-hosted-external-id": () =>
    invokerRole({
      roleName: "restate-invoker",
      path: "/restate/",
      trustPolicy: selfHostedTrustPolicy({
        principalArn: `arn:aws:iam::${ACCOUNT}:role/ecs/restate-server-task`,
        externalId: "restate-prod",
      }),
      functionArns: [`arn:aws:lambda:us-west-2:${ACCOUNT}:function:greeter:7`],
    }),
  // IAM paths may hold any printable ASCII: what HCL, YAML, JSON and shells treat specially must
  // come through every renderer as plain data.
  "self-hosted-odd-names": () =>
    invokerRole({
      roleName: "-restate+invoker=@,.",
      path: '/team$${a}%{b}/"q"\\`x`/',
      trustPolicy: selfHostedTrustPolicy({
        principalArn: `arn:aws:iam::${ACCOUNT}:role/\${aws:username}%{if}'"!/restate-server`,
        externalId: "tenant:a/b=c",
      }),
      functionArns: [`arn:aws:lambda:eu-west-1:${ACCOUNT}:function:greeter:$LATEST`],
      tags: { note: "line\u2028sep", é: "日本 yes" },
    }),
  "self-hosted-aws-cn": () =>
    invokerRole({
      trustPolicy: selfHostedTrustPolicy({ principalArn: `arn:aws-cn:iam::${ACCOUNT}:role/restate-server` }),
      functionArns: [`arn:aws-cn:lambda:cn-north-1:${ACCOUNT}:function:greeter`],
    }),
  "self-hosted-aws-us-gov": () =>
    invokerRole({
      trustPolicy: selfHostedTrustPolicy({
        principalArn: `arn:aws-us-gov:iam::${ACCOUNT}:role/restate-server`,
        externalId: "gov-tenant",
      }),
      functionArns: [`arn:aws-us-gov:lambda:us-gov-west-1:${ACCOUNT}:function:greeter`],
    }),
};

const goldenDir = join(dirname(fileURLToPath(import.meta.url)), "golden");

/**
 * Compares output with test/golden/<name>. Set UPDATE_GOLDEN=1 to (re)write the files after
 * reviewing a deliberate change; a missing file fails the test unless updating.
 */
export function expectGolden(name: string, actual: string): void {
  const file = join(goldenDir, name);
  if (process.env.UPDATE_GOLDEN === "1") {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  expect(existsSync(file), `golden file ${name} is missing; run with UPDATE_GOLDEN=1`).toBe(true);
  expect(actual).toBe(readFileSync(file, "utf8"));
}
