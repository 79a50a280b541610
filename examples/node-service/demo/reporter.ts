import type { Writable } from "node:stream";

/**
 * Human-readable progress. In `--json` mode it writes to stderr so that stdout carries only the
 * machine-readable summary.
 */
export interface Reporter {
  step(number: number, title: string, explanation: string): void;
  heading(title: string, explanation: string): void;
  line(text: string): void;
  ok(text: string): void;
  warn(text: string): void;
  /** Shows a spinner with the elapsed time while `work` runs (a plain line when not a terminal). */
  wait<T>(label: string, work: Promise<T>): Promise<T>;
}

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

export function createReporter(out: Writable & { isTTY?: boolean }): Reporter {
  const tty = out.isTTY === true && process.env.NO_COLOR === undefined;
  const paint = (code: string, text: string) => (tty ? `\x1b[${code}m${text}\x1b[0m` : text);
  const write = (text: string) => out.write(`${text}\n`);

  return {
    step(number, title, explanation) {
      write("");
      write(paint("1", `[${number}/7] ${title}`));
      write(paint("2", `      ${explanation}`));
    },
    heading(title, explanation) {
      write("");
      write(paint("1", title));
      write(paint("2", `      ${explanation}`));
    },
    line: (text) => write(`      ${text}`),
    ok: (text) => write(`      ${paint("32", "✓")} ${text}`),
    warn: (text) => write(`      ${paint("33", "!")} ${text}`),
    async wait(label, work) {
      const started = Date.now();
      if (!tty) {
        write(`      … ${label}`);
        return work;
      }
      let frame = 0;
      const render = () => {
        const seconds = ((Date.now() - started) / 1000).toFixed(1);
        out.write(
          `\r      ${paint("36", FRAMES[frame++ % FRAMES.length] ?? "")} ${label} ${paint("2", `${seconds}s`)}\x1b[K`,
        );
      };
      render();
      const timer = setInterval(render, 80);
      try {
        return await work;
      } finally {
        clearInterval(timer);
        out.write("\r\x1b[K");
      }
    },
  };
}
