import type { ManagedProcess } from "@restate-connect/testkit";

/** The JSON event lines the service printed on stdout with the given `event` name. */
export function events(child: ManagedProcess, name: string): Array<Record<string, unknown>> {
  const found: Array<Record<string, unknown>> = [];
  for (const line of child.logs().split("\n")) {
    if (!line.startsWith("{")) continue;
    try {
      const parsed = JSON.parse(line) as Record<string, unknown>;
      if (parsed.event === name) found.push(parsed);
    } catch {
      // not one of ours
    }
  }
  return found;
}

export async function waitForEvent(
  child: ManagedProcess,
  name: string,
  timeoutMs: number,
): Promise<Record<string, unknown>> {
  let exitCode: number | null | undefined;
  void child.exited.then((code) => {
    exitCode = code;
  });
  return waitFor(
    () => {
      const found = events(child, name)[0];
      if (found) return found;
      if (exitCode !== undefined) throw new Error(`the service exited with code ${exitCode}:\n${tail(child.logs())}`);
      return undefined;
    },
    timeoutMs,
    `the service's "${name}" event`,
  );
}

export async function waitFor<T>(probe: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export function tail(text: string, lines = 30): string {
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}
