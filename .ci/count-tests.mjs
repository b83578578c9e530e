// Totals the vitest JSON reports of every project that has a test target. A project whose
// report is missing (its run crashed before writing one) counts as one failure, so a broken
// project can never pass silently.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const graphFile = join(mkdtempSync(join(tmpdir(), 'nx-graph-')), 'graph.json');
execFileSync('npx', ['nx', 'graph', `--file=${graphFile}`], { stdio: 'ignore' });
const { nodes } = JSON.parse(readFileSync(graphFile, 'utf8')).graph;

let passed = 0;
let failed = 0;
let skipped = 0;
for (const name of Object.keys(nodes).sort()) {
  const { root, targets } = nodes[name].data;
  if (!targets?.test) continue;
  const report = join(root, 'test-output', 'vitest.json');
  if (!existsSync(report)) {
    console.log(`${name}: no test report at ${report}: counted as 1 failed`);
    failed += 1;
    continue;
  }
  const r = JSON.parse(readFileSync(report, 'utf8'));
  const projectSkipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  // A suite that fails to load has no failed test but success=false: count it.
  const projectFailed = r.numFailedTests + (r.success === false && r.numFailedTests === 0 ? 1 : 0);
  console.log(`${name}: ${r.numPassedTests} passed, ${projectFailed} failed${projectSkipped ? `, ${projectSkipped} skipped` : ''}`);
  passed += r.numPassedTests;
  failed += projectFailed;
  skipped += projectSkipped;
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exitCode = failed > 0 ? 1 : 0;
