import { existsSync } from "node:fs";
import { isAlive } from "@restate-connect/testkit";
import type { DemoStep } from "./context.ts";

export const stop: DemoStep = {
  number: 7,
  name: "Stop everything",
  explanation: "Stops the service and restate-server and removes the temporary directories.",
  async run({ say, stack }) {
    const pids = [...stack.pids];
    await stack.stopAll();
    const alive = pids.filter(isAlive);
    if (alive.length > 0) throw new Error(`processes still alive after stopping: ${alive.join(", ")}`);
    const left = stack.tempDirs.filter((dir) => existsSync(dir));
    if (left.length > 0) throw new Error(`temporary directories not removed: ${left.join(", ")}`);
    say.ok(
      `stopped ${pids.length} processes (${pids.join(", ")}) and removed ${stack.tempDirs.length} temporary directories`,
    );
    return { stoppedPids: pids, removedTempDirs: [...stack.tempDirs] };
  },
};
