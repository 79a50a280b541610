import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "../src/cli/run.js";
import { invocationPage } from "../src/console/pages/invocation.js";
import { listInvocations } from "../src/console/pages/invocations.js";
import { localKeyProvider } from "../src/index.js";
import { looksEncrypted, valuesInEntryJson, valuesInRawEntry } from "../src/show/find-values.js";
import { readJournal } from "../src/show/journal.js";
import { locateEnvelopes } from "../src/show/locate-envelopes.js";
import { showInvocation } from "../src/show/show-invocation.js";
import { sqlString } from "../src/show/sql.js";
import { sqlString as storeSqlString } from "../src/state/store.js";
import { SCRIPT_VALUE, type ShowScenario, startShowScenario } from "./show-fixture.js";

function capture(env: Record<string, string>) {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t), env } };
}

describe("show against restate-server 1.7.12", () => {
  let scenario: ShowScenario;
  let keyRing: { providerFor: (kind: string) => ReturnType<typeof localKeyProvider> | undefined };

  beforeAll(async () => {
    scenario = await startShowScenario();
    const provider = localKeyProvider({ keys: scenario.keys, activeKeyId: "k1" });
    keyRing = { providerFor: (kind) => (kind === "local" ? provider : undefined) };
  });
  afterAll(async () => {
    await scenario?.stop();
  });

  it("decrypts input, state, ctx.run result, call parameter and result, and output of a completed invocation", async () => {
    const report = await showInvocation(scenario.admin, scenario.ids.completed, keyRing);
    expect(report?.invocation).toMatchObject({
      target: "Account/alice/deposit",
      status: "completed",
      completionResult: "success",
      key: "alice",
    });
    const journal = report?.journal ?? [];
    const types = journal.map((e) => e.type);
    expect(types[0]).toBe("Command: Input");
    expect(types).toContain("Command: Run");
    expect(types.at(-1)).toBe("Command: Output");
    const values = journal.flatMap((e) => e.values.map((v) => ({ type: e.type, label: v.label, shown: v.shown })));
    // Every value in the journal was sealed under k1 and decrypts.
    expect(values.length).toBeGreaterThanOrEqual(6);
    for (const v of values) expect(v.shown).toMatchObject({ state: "decrypted", provider: "local", keyId: "k1" });
    const text = (type: string, label: string) => {
      const found = values.find((v) => v.type === type && v.label === label)?.shown;
      return found && found.state !== "unreadable" ? found.value : undefined;
    };
    expect(text("Command: Input", "input")).toEqual({
      as: "json",
      text: '{\n  "amount": 42,\n  "note": "first deposit"\n}',
      length: 36,
    });
    expect(JSON.parse(text("Notification: Run", "result")?.text ?? "null")).toEqual({ receipt: "R-42", amount: 42 });
    expect(JSON.parse(text("Command: Call", "parameter")?.text ?? "null")).toBe("alice");
    expect(JSON.parse(text("Notification: Call", "result")?.text ?? "null")).toBe("Hello, alice!");
    expect(JSON.parse(text("Command: Output", "output")?.text ?? "null")).toEqual({
      balance: 42,
      receipt: { receipt: "R-42", amount: 42 },
      greeting: "Hello, alice!",
    });
    expect(journal.find((e) => e.type === "Command: Run")?.name).toBe("make receipt");
    expect(journal.find((e) => e.type === "Command: Call")?.detail).toBe("Greeter/greet");
    expect(journal.every((e) => typeof e.appendedAt === "string")).toBe(true);
    // The object's current state, decrypted.
    expect(
      report?.state?.state.map((s) => [s.name, s.shown.state === "decrypted" ? s.shown.value.text : s.shown]),
    ).toEqual([
      ["balance", "42"],
      ["last failure", '"insufficient funds"'],
      ["note", '"first deposit"'],
    ]);
  });

  it("shows a failed invocation's failure as Restate stores it, and a suspended one's status", async () => {
    const failed = await showInvocation(scenario.admin, scenario.ids.failed, keyRing);
    expect(failed?.invocation).toMatchObject({ status: "completed", completionResult: "failure" });
    expect(failed?.invocation.completionFailure).toContain("refused: insufficient funds");
    const output = failed?.journal.find((e) => e.type === "Command: Output");
    expect(output?.failure).toEqual({ code: 409, message: "refused: insufficient funds" });
    expect(output?.values).toEqual([]);

    const suspended = await showInvocation(scenario.admin, scenario.ids.suspended, keyRing);
    expect(suspended?.invocation.status).toBe("suspended");
    const input = suspended?.journal[0]?.values[0]?.shown;
    expect(input?.state === "decrypted" && input.value.text).toBe('"waiting for approval"');
  });

  it("shows a workflow's state and its durable promise, decrypted", async () => {
    const report = await showInvocation(scenario.admin, scenario.ids.workflow, keyRing);
    expect(report?.invocation).toMatchObject({
      target: "Signup/ada/run",
      serviceType: "workflow",
      status: "completed",
    });
    const output = report?.journal.find((e) => e.type === "Command: Output")?.values[0]?.shown;
    expect(output?.state === "decrypted" && output.value.text).toBe('"verified ada@example.com with 123456"');
    const promiseResult = report?.journal.find((e) => e.type === "Notification: GetPromise")?.values[0]?.shown;
    expect(promiseResult?.state === "decrypted" && promiseResult.value.text).toBe('"123456"');
    const email = report?.state?.state.find((s) => s.name === "email")?.shown;
    expect(email?.state === "decrypted" && email.value.text).toBe('"ada@example.com"');
    expect(report?.state?.promises).toHaveLength(1);
    const promise = report?.state?.promises[0];
    expect(promise).toMatchObject({ name: "verified", completed: true, failure: undefined });
    expect(promise?.shown?.state === "decrypted" && promise.shown.value.text).toBe('"123456"');
  });

  it("names the reason for a value under a key it lacks, and flags plaintext", async () => {
    const { readObjectStateView } = await import("../src/show/object-state.js");
    const view = await readObjectStateView(scenario.admin, "Account", "carol", keyRing);
    const byName = Object.fromEntries(view.state.map((s) => [s.name, s.shown]));
    expect(byName.sealed).toMatchObject({ state: "unreadable", reason: "unknown_key", keyId: "k-other" });
    expect(byName.legacy).toEqual({
      state: "plaintext",
      value: { as: "json", text: '{\n  "plain": true\n}', length: 14 },
    });
    // Without any local keys the reason says so.
    const none = await readObjectStateView(scenario.admin, "Account", "carol", { providerFor: () => undefined });
    expect(none.state.find((s) => s.name === "sealed")?.shown).toMatchObject({ reason: "no_keys_for_provider" });
  });

  it("restate-journal show prints the report and --json the same data; an unknown id fails with exit 1", async () => {
    const env = { RESTATE_JOURNAL_LOCAL_KEYS: `k1=${scenario.keys.k1}` };
    const human = capture(env);
    expect(await run(["show", scenario.ids.script, "--admin-url", scenario.rs.adminUrl], human.io)).toBe(0);
    const printed = human.out.join("\n");
    expect(printed).toContain("Account/mallory/remember");
    expect(printed).toContain(JSON.stringify(SCRIPT_VALUE));
    expect(printed).toContain("State of Account/mallory");
    expect(human.err.join("\n")).not.toContain(scenario.keys.k1);

    const machine = capture(env);
    expect(await run(["show", scenario.ids.completed, "--admin-url", scenario.rs.adminUrl, "--json"], machine.io)).toBe(
      0,
    );
    const report = JSON.parse(machine.out.join("\n"));
    expect(report.invocation.id).toBe(scenario.ids.completed);
    expect(report.journal.length).toBeGreaterThan(5);

    const missing = capture(env);
    // A well-formed id the server never issued: a real one with its last base62 digit changed.
    const real = scenario.ids.completed;
    const absent = `${real.slice(0, -1)}${real.endsWith("0") ? "1" : "0"}`;
    expect(await run(["show", absent, "--admin-url", scenario.rs.adminUrl], missing.io)).toBe(1);
    expect(missing.err.join("\n")).toMatch(/error \[invalid_value\]: the server has no invocation/);

    const bad = capture(env);
    expect(await run(["show", "inv_1'; DROP TABLE x; --", "--admin-url", scenario.rs.adminUrl], bad.io)).toBe(2);
  });

  it("the console shows a journal one window at a time (?from=), the same entries as the whole journal", async () => {
    const id = scenario.ids.completed;
    const whole = await readJournal(scenario.admin, id, keyRing);
    expect(whole.length).toBeGreaterThan(3);
    const window = await readJournal(scenario.admin, id, keyRing, { from: 1, limit: 2 });
    expect(window).toEqual(whole.slice(1, 3));
    await expect(readJournal(scenario.admin, id, keyRing, { from: -1, limit: 2 })).rejects.toMatchObject({
      code: "invalid_option",
    });
    const page = async (query: string) =>
      (
        await invocationPage({
          url: new URL(`http://console.invalid/invocations/${id}${query}`),
          params: [id],
          admin: scenario.admin,
          keys: keyRing,
          progress: () => undefined,
        })
      ).body.text;
    const indexes = (text: string) => [...text.matchAll(/<li [^>]*data-index="(\d+)"/g)].map((m) => Number(m[1]));
    expect(indexes(await page(""))).toEqual(whole.map((e) => e.index));
    expect(indexes(await page("?from=2"))).toEqual(whole.slice(2).map((e) => e.index));
    expect(await page("?from=2")).toContain(`href="/invocations/${id}">← earlier entries</a>`);
    expect(indexes(await page("?from=x"))).toEqual(whole.map((e) => e.index)); // malformed: from the start
  });

  it("sqlString: whatever text a filter carries, the server reads back exactly that literal (differential)", async () => {
    const quotes = ["\u2018", "\u2019", "\u02bc", "\uff07", "\u201c"]; // look-alike quotes are plain letters to the server
    await fc.assert(
      fc.asyncProperty(
        fc.string({
          unit: fc.constantFrom("'", '"', "\\", ";", "-", "/", "*", "a", "é", "😀", " ", "%", "_", "$", ...quotes),
          maxLength: 24,
        }),
        async (value) => {
          const rows = await scenario.admin.query<{ v: string }>(`SELECT ${sqlString(value, "value")} AS v`);
          expect(rows).toEqual([{ v: value }]);
          // The state tools quote object keys and service names the same way (control characters kept).
          const tool = await scenario.admin.query<{ v: string }>(`SELECT ${storeSqlString(`${value}\t\n`)} AS v`);
          expect(tool).toEqual([{ v: `${value}\t\n` }]);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("the console's invocation list: newest first, filtered, and pages that cover every row once", async () => {
    const all = await scenario.admin.query<{ id: string; created_at: string }>(
      "SELECT id, created_at FROM sys_invocation",
    );
    const pages: string[] = [];
    for (let page = 1; ; page++) {
      const { rows, more } = await listInvocations(scenario.admin, {}, page, 3);
      expect(rows.length).toBeLessThanOrEqual(3);
      pages.push(...rows.map((r) => r.id));
      if (!more) break;
    }
    expect([...pages].sort()).toEqual(all.map((r) => r.id).sort());
    const created = new Map(all.map((r) => [r.id, r.created_at]));
    // Restate prints whole seconds without a fraction ("…:53Z"), so compare instants, not strings.
    const times = pages.map((id) => Date.parse(created.get(id) as string));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    const held = await listInvocations(scenario.admin, { service: "Account", status: "suspended", key: "bob" }, 1);
    expect(held.rows.map((r) => r.id)).toEqual([scenario.ids.suspended]);
    const byHandler = await listInvocations(scenario.admin, { handler: "deposit" }, 1);
    expect(byHandler.rows.map((r) => r.id)).toEqual([scenario.ids.completed]);
    const none = await listInvocations(scenario.admin, { key: "o'brien\\' OR '1'='1" }, 1);
    expect(none.rows).toEqual([]);
  });

  it("every journal entry the server stores: the envelopes in raw are exactly those in entry_json (differential)", async () => {
    const rows = await scenario.admin.query<{ entry_type: string; raw: string; entry_json: string }>(
      "SELECT entry_type, raw, entry_json FROM sys_journal",
    );
    const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
    const types = new Set<string>();
    let envelopes = 0;
    for (const row of rows) {
      const fromJson = valuesInEntryJson(JSON.parse(row.entry_json))
        .filter((v) => looksEncrypted(v.bytes))
        .map((v) => hex(v.bytes));
      const raw = new Uint8Array(Buffer.from(row.raw, "hex"));
      expect(valuesInRawEntry(raw).map((v) => hex(v.bytes))).toEqual(fromJson);
      expect(locateEnvelopes(raw).map((v) => hex(v.bytes))).toEqual(fromJson);
      expect(locateEnvelopes(new TextEncoder().encode(row.entry_json)).map((v) => hex(v.bytes))).toEqual(fromJson);
      if (fromJson.length > 0) types.add(row.entry_type);
      envelopes += fromJson.length;
    }
    console.log(`entry types holding envelopes: ${[...types].sort().join(", ")}`);
    expect(envelopes).toBeGreaterThan(20);
    expect([...types].sort()).toEqual(
      expect.arrayContaining([
        "Command: Call",
        "Command: CompletePromise",
        "Command: Input",
        "Command: Output",
        "Command: SetState",
        "Notification: Call",
        "Notification: GetPromise",
        "Notification: Run",
      ]),
    );
  });
});
