import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { hclString } from "../src/hcl.js";
import { InvokerRoleError, invokerRole, selfHostedTrustPolicy, toTerraform } from "../src/index.js";
import { terraformAttributes } from "../src/render-terraform.js";

// Terraform itself reads what we write: `terraform console` evaluates locals without providers or
// `terraform init`, so every generated string is checked by the real HCL parser and evaluator.
const work = mkdtempSync(join(tmpdir(), "invoker-role-terraform-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Evaluates `expression` against a configuration holding `locals`; returns the decoded JSON value. */
function evaluate(locals: readonly (readonly [string, string])[], expression: string): unknown {
  const dir = mkdtempSync(join(work, "tf-"));
  writeFileSync(join(dir, "main.tf"), `locals {\n${locals.map(([name, hcl]) => `  ${name} = ${hcl}`).join("\n")}\n}\n`);
  const result = spawnSync("terraform", ["console"], {
    cwd: dir,
    input: `base64encode(jsonencode(${expression}))\n`,
    encoding: "utf8",
    env: { ...process.env, TF_CLI_CONFIG_FILE: "/dev/null", CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1" },
    timeout: 60_000,
  });
  expect(result.error, "terraform must be on PATH for this test").toBeUndefined();
  expect(result.status, result.stderr).toBe(0);
  const printed = /"([A-Za-z0-9+/=]*)"/.exec(result.stdout)?.[1];
  expect(printed, result.stdout).toBeDefined();
  return JSON.parse(Buffer.from(printed as string, "base64").toString("utf8"));
}

// Characters that mean something to HCL, shells or JSON, plus non-ASCII and invisible ones.
const TRICKY = [
  ..."${}%\"'\\\n\r\t` ~#*?",
  "$${",
  "%%{",
  "é",
  "ß",
  "日本",
  "😀",
  "\u0000",
  "\u0001",
  "\u007f",
  "\u0085",
  "\u009b",
  "\u2028",
  "\u2029",
  "\ufeff",
  "\u00a0",
  "a",
  "Z",
  "0",
];
const isRenderable = (value: string) => !/\p{Cs}/u.test(value) && value.normalize("NFC") === value;
const hostile = fc
  .oneof(
    fc.string({ unit: fc.constantFrom(...TRICKY), maxLength: 12 }),
    fc.string({ unit: "binary", maxLength: 12 }),
    fc.constantFrom("${path.module}", '${file("/etc/passwd")}', "%{ if true }x%{ endif }", "$${x}", "\\${x}"),
  )
  .filter(isRenderable);

describe("hclString, read back by terraform console", () => {
  it("every generated string evaluates to itself: nothing is interpolated, nothing is lost", () => {
    fc.assert(
      fc.property(fc.array(hostile, { minLength: 1, maxLength: 60 }), (values) => {
        const locals = values.map((value, index) => [`v${index}`, hclString(value)] as const);
        const back = evaluate(locals, `[${locals.map(([name]) => `local.${name}`).join(", ")}]`);
        expect(back).toEqual(values);
      }),
      { numRuns: 20 },
    );
  }, 180_000);

  it("refuses what Terraform would change: non-NFC text and lone surrogates", () => {
    for (const value of ["e\u0301", "\u212b", "\ud800", "x\udfff"]) {
      expect(() => hclString(value)).toThrow(expect.objectContaining({ code: "unrenderable_value" }));
    }
  });
});

describe("toTerraform, read back by terraform console", () => {
  // IAM paths allow every printable ASCII character except "/" inside a segment (a principal ARN
  // takes no wildcards, so "*" and "?" are left out).
  const segment = fc.string({
    unit: fc.constantFrom(..."${}%\"'\\`!#&()+,-.:;<=>@[]^_|~aZ09"),
    minLength: 1,
    maxLength: 10,
  });
  const tagText = fc.string({ unit: fc.constantFrom(..."é日ß aZ09_.:/=+-@"), maxLength: 12 });

  it("the role's name, path, tags and both policies come back exactly as generated", () => {
    fc.assert(
      fc.property(
        segment,
        segment,
        fc.dictionary(
          tagText.filter((k) => k.length > 0 && !k.toLowerCase().startsWith("aws:")),
          tagText,
          { maxKeys: 3 },
        ),
        (principalPath, rolePath, tags) => {
          const spec = invokerRole({
            path: `/${rolePath}/`,
            trustPolicy: selfHostedTrustPolicy({
              principalArn: `arn:aws:iam::111122223333:role/${principalPath}/restate-server`,
              externalId: "restate-prod",
            }),
            functionArns: ["arn:aws:lambda:us-east-1:111122223333:function:greeter"],
            tags,
          });
          const { role, policy } = terraformAttributes(spec);
          const locals = [
            ...role.map(([name, hcl]) => [`role_${name}`, hcl] as const),
            ...policy.filter(([name]) => name !== "role").map(([name, hcl]) => [`policy_${name}`, hcl] as const),
          ];
          const back = evaluate(
            locals,
            `{ name = local.role_name, path = local.role_path, trust = local.role_assume_role_policy, tags = ${spec.tags.length > 0 ? "local.role_tags" : "{}"}, invoke = local.policy_policy }`,
          ) as { name: string; path: string; trust: string; tags: Record<string, string>; invoke: string };
          expect(back.name).toBe(spec.roleName);
          expect(back.path).toBe(spec.path);
          expect(JSON.parse(back.trust)).toEqual(JSON.parse(JSON.stringify(spec.trustPolicy)));
          expect(JSON.parse(back.invoke)).toEqual(JSON.parse(JSON.stringify(spec.invokePolicy)));
          expect(back.tags).toEqual(Object.fromEntries(spec.tags.map((tag) => [tag.Key, tag.Value])));
          expect(toTerraform(spec)).toContain(role.find(([name]) => name === "assume_role_policy")?.[1]);
        },
      ),
      { numRuns: 20 },
    );
  }, 180_000);

  it("refuses a tag Terraform would normalise", () => {
    const spec = invokerRole({
      trustPolicy: selfHostedTrustPolicy({ principalArn: "arn:aws:iam::111122223333:role/restate-server" }),
      functionArns: ["arn:aws:lambda:us-east-1:111122223333:function:greeter"],
      tags: { team: "\u212b" }, // ANGSTROM SIGN, NFC: U+00C5
    });
    expect(() => toTerraform(spec)).toThrow(InvokerRoleError);
  });
});
