// The licence comment for a build that bundles third-party packages (the CommonJS builds bundle the
// ES-module-only @noble/@scure dependencies so `require` works on every Node ≥ 20). The MIT License asks
// that the copyright and permission notices go with every copy: this reads them from each package's
// LICENSE file, so a new version's notice is the one shipped, and refuses a package that is not MIT.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/** A `/*! … *\/` comment naming each bundled package, its copyright lines and the MIT permission notice. */
export function licenceBanner(packageDir: string, names: readonly string[]): string {
  const require = createRequire(join(packageDir, "package.json"));
  const notices = new Set<string>();
  const lines = names.map((name) => {
    const root = packageRoot(require, name);
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string; license: string };
    if (pkg.license !== "MIT") throw new Error(`${name} is ${pkg.license}, not MIT: review before bundling it`);
    const text = readFileSync(join(root, "LICENSE"), "utf8").replace(/\r\n/g, "\n");
    const copyright = text.split("\n").filter((line) => /^Copyright /.test(line.trim()));
    const notice = text.slice(text.indexOf("Permission is hereby granted")).trim();
    if (copyright.length === 0 || !notice.startsWith("Permission"))
      throw new Error(`${name}: no copyright line or MIT permission notice in its LICENSE`);
    notices.add(notice.replace(/\s+/g, " "));
    return ` * ${name} ${pkg.version} (MIT License), ${copyright.map((c) => c.trim()).join("; ")}`;
  });
  const body = [...notices].flatMap((notice) => wrap(notice, 96).map((line) => ` * ${line}`));
  const content = [...lines, " *", ...body].map((line) => line.replaceAll("*/", "* /"));
  return ["/*! This CommonJS build bundles:", ...content, " */"].join("\n");
}

function packageRoot(require: NodeJS.Require, name: string): string {
  // The packages' exports may hide package.json; resolve any file and walk up to the package folder.
  let dir = dirname(require.resolve(name));
  while (!dir.endsWith(join("node_modules", name))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the folder of ${name}`);
    dir = parent;
  }
  return dir;
}

function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line && line.length + word.length + 1 > width) {
      out.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  return out;
}
