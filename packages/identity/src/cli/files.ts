import { randomBytes } from "node:crypto";
import {
  closeSync,
  fchmodSync,
  fsyncSync,
  linkSync,
  openSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";
import { CliUsageError, type CommandContext } from "@restate-connect/cli-kit";

/**
 * The text of a file (or standard input for `-`); an unreadable file is a usage error naming where it
 * came from (`where` is e.g. `--key` or `<key.pem>`).
 */
export async function readInputFile(context: CommandContext, where: string, file: string): Promise<string> {
  if (file === "-") {
    if (!context.io.stdin) throw new CliUsageError("invalid_option", `${where} is - but there is no standard input`);
    return new TextDecoder().decode(await context.io.stdin());
  }
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? "error";
    throw new CliUsageError("invalid_option", `${where} names a file that cannot be read: ${file} (${reason})`);
  }
}

/** An existing file at the target when `--force` was not given. */
export class FileExistsError extends Error {
  override readonly name = "FileExistsError";
  readonly code = "file_exists";
  readonly retryable = false;
}

/**
 * Writes a secret file the safe way: a new file created exclusively (never following a symlink) with
 * mode 0600 next to the target, synced, then moved into place. With `replace`, `rename` swaps the
 * directory entry itself: a symlink at the target is replaced, never written through, and the old
 * file's mode is not inherited. Without it, `link` refuses atomically when the target exists.
 */
export function writeSecretFile(target: string, content: string, replace: boolean): void {
  const temporary = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString("hex")}.tmp`);
  const fd = openSync(temporary, "wx", 0o600);
  try {
    try {
      fchmodSync(fd, 0o600); // the umask can only remove bits; make the mode exact anyway
      writeSync(fd, content);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (replace) renameSync(temporary, target);
    else {
      try {
        linkSync(temporary, target);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "EEXIST")
          throw new FileExistsError(`${target} already exists; use --force to replace it`);
        throw error;
      }
    }
  } finally {
    try {
      unlinkSync(temporary);
    } catch {
      // Already renamed into place.
    }
  }
}
