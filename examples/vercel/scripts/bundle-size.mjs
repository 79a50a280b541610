// Reports what the Restate route ships after `next build`: the chunks the route loads at start-up,
// the chunks it may load later (e.g. the AWS SDK, only when KMS is configured), and the files Next's
// output tracing adds from node_modules. Next 16 no longer prints sizes in its build summary.
// Usage: npx next build && node scripts/bundle-size.mjs
import { readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const appDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const routeDir = join(appDir, ".next", "server", "app", "restate", "[[...services]]");
const routeFile = join(routeDir, "route.js");
const serverDir = join(appDir, ".next");

const eager = new Set([routeFile]);
for (const match of readFileSync(routeFile, "utf8").matchAll(/R\.c\("([^"]+)"\)|require\("([^"]+)"\)/g)) {
  const chunk = match[1] ? join(serverDir, match[1]) : resolve(routeDir, match[2] ?? "");
  eager.add(chunk);
}

const traced = JSON.parse(readFileSync(`${routeFile}.nft.json`, "utf8")).files.map((file) => resolve(routeDir, file));
const groups = {
  "route + eagerly loaded chunks": [],
  "lazily loaded chunks (.next)": [],
  "traced from node_modules": [],
};
for (const file of new Set([...eager, ...traced])) {
  let size;
  try {
    const stats = statSync(file);
    if (!stats.isFile()) continue;
    size = stats.size;
  } catch {
    continue;
  }
  const group = eager.has(file)
    ? "route + eagerly loaded chunks"
    : file.startsWith(serverDir)
      ? "lazily loaded chunks (.next)"
      : "traced from node_modules";
  groups[group].push({ file, size });
}

const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;
let total = 0;
for (const [name, files] of Object.entries(groups)) {
  const bytes = files.reduce((sum, entry) => sum + entry.size, 0);
  const gzip = files.reduce((sum, entry) => sum + gzipSync(readFileSync(entry.file)).length, 0);
  total += bytes;
  console.log(
    `${name.padEnd(32)} ${String(files.length).padStart(4)} files ${kib(bytes).padStart(12)}  gzip ${kib(gzip)}`,
  );
  if (process.argv.includes("--verbose")) {
    for (const entry of files.sort((a, b) => b.size - a.size).slice(0, 10)) {
      console.log(`    ${kib(entry.size).padStart(12)}  ${relative(appDir, entry.file)}`);
    }
  }
}
console.log(`${"function total (uncompressed)".padEnd(43)} ${kib(total).padStart(12)}`);
