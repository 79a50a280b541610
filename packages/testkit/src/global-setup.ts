import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Vitest global setup: gives the test workers a directory in which every started process leaves
 * its pid, and kills whatever is still listed there when the run ends — even if a worker crashed
 * or was killed before its own cleanup ran.
 */
export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), "restate-connect-pids-"));
  process.env.RESTATE_CONNECT_TESTKIT_PIDS = dir;
  return () => {
    for (const name of readdirSync(dir)) {
      const pid = Number(name);
      if (Number.isInteger(pid) && pid > 1) {
        try {
          process.kill(-pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
}
