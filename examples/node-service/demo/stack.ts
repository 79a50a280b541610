import { rmSync } from "node:fs";

/**
 * Everything the demo started or created, stopped in reverse order exactly once — at the end, on
 * failure, or on Ctrl-C.
 */
export class Stack {
  readonly pids: number[] = [];
  readonly tempDirs: string[] = [];
  private readonly stops: Array<() => Promise<void> | void> = [];
  private stopping: Promise<void> | undefined;

  /** Registers a started process (its pid is reported in the summary) and how to stop it. */
  addProcess(pid: number, stop: () => Promise<void>): void {
    this.pids.push(pid);
    this.stops.push(stop);
  }

  /**
   * Registers something still starting (e.g. restate-server waiting for its health check): if the
   * demo is stopped meanwhile, it is stopped as soon as it is up — or given up on after `waitMs`
   * (the process itself is killed on exit anyway; this is about its temporary directory).
   */
  addStarting<T>(starting: Promise<T>, stop: (value: T) => Promise<void>, waitMs = 5000): void {
    this.stops.push(async () => {
      let timer: NodeJS.Timeout | undefined;
      const giveUp = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, waitMs);
      });
      await Promise.race([starting.then(stop, () => undefined), giveUp]);
      clearTimeout(timer);
    });
  }

  /** Registers any other cleanup (e.g. a build still running when Ctrl-C arrives). */
  addCleanup(cleanup: () => Promise<void> | void): void {
    this.stops.push(cleanup);
  }

  addTempDir(dir: string): void {
    this.tempDirs.push(dir);
    this.stops.push(() => rmSync(dir, { recursive: true, force: true }));
  }

  stopAll(): Promise<void> {
    this.stopping ??= (async () => {
      for (const stop of [...this.stops].reverse()) {
        try {
          await stop();
        } catch {
          // Keep stopping the rest; the summary's liveness check reports anything left behind.
        }
      }
    })();
    return this.stopping;
  }
}
