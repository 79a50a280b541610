import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { sleep } from "./wait.ts";

/** The repository root (packages/testkit/src → ../../..). */
export const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
const requirementsFile = fileURLToPath(new URL("../requirements.txt", import.meta.url));
const venvDir = join(repoRoot, ".cache", "python");
const lockDir = join(repoRoot, ".cache", "python.lock");

export class PythonEnvironmentError extends Error {
  readonly code = "python_environment_unavailable";
}

/**
 * Makes sure the git-ignored virtualenv with the pinned test tools (moto, cfn-lint) exists and
 * returns the path of one of its executables. Safe to call from parallel test processes: creation
 * is serialised by a lock directory. Fails loudly (never skips) when Python is missing.
 */
export async function pythonTool(name: "moto_server" | "cfn-lint"): Promise<string> {
  await ensureVenv();
  const bin = join(venvDir, "bin", name);
  if (!existsSync(bin)) throw new PythonEnvironmentError(`${bin} is missing after installing ${requirementsFile}`);
  return bin;
}

function requirementsHash(): string {
  return createHash("sha256").update(readFileSync(requirementsFile)).digest("hex");
}

function venvIsCurrent(hash: string): boolean {
  const stamp = join(venvDir, ".requirements-sha256");
  return existsSync(stamp) && readFileSync(stamp, "utf8") === hash;
}

async function ensureVenv(): Promise<void> {
  const hash = requirementsHash();
  if (venvIsCurrent(hash)) return;
  mkdirSync(dirname(lockDir), { recursive: true });
  await acquireLock();
  try {
    if (venvIsCurrent(hash)) return;
    const python = findPython();
    rmSync(venvDir, { recursive: true, force: true });
    try {
      execFileSync(python, ["-m", "venv", venvDir], { stdio: "pipe" });
      execFileSync(
        join(venvDir, "bin", "python"),
        ["-m", "pip", "install", "--disable-pip-version-check", "--quiet", "-r", requirementsFile],
        { stdio: "pipe", timeout: 600_000 },
      );
    } catch (error) {
      rmSync(venvDir, { recursive: true, force: true });
      const detail = error instanceof Error && "stderr" in error ? String(error.stderr).slice(-2000) : String(error);
      throw new PythonEnvironmentError(
        `could not create the Python test environment in ${venvDir} from ${requirementsFile} ` +
          `(needs python3 with the venv module and access to PyPI):\n${detail}`,
      );
    }
    writeFileSync(join(venvDir, ".requirements-sha256"), hash);
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

function findPython(): string {
  for (const candidate of ["python3", "python"]) {
    try {
      execFileSync(candidate, ["-c", "import venv, sys; assert sys.version_info >= (3, 9)"], { stdio: "pipe" });
      return candidate;
    } catch {
      // try the next one
    }
  }
  throw new PythonEnvironmentError(
    "python3 (>= 3.9, with the venv module) was not found on PATH; it is needed for moto and cfn-lint in the tests",
  );
}

async function acquireLock(): Promise<void> {
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    try {
      mkdirSync(lockDir);
      return;
    } catch {
      // Another process is installing. A lock older than 15 minutes belongs to a dead process.
      try {
        if (Date.now() - statSync(lockDir).mtimeMs > 15 * 60_000) rmSync(lockDir, { recursive: true, force: true });
      } catch {
        // it vanished meanwhile
      }
      if (Date.now() > deadline) throw new PythonEnvironmentError(`timed out waiting for ${lockDir}`);
      await sleep(500);
    }
  }
}
