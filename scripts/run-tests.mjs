#!/usr/bin/env node
// Finds every *.test.ts under packages/, services/ and test/ and runs them with node's test runner
// on the TypeScript sources (tsx, plus the "deeprelax-src" export condition so workspace packages
// resolve to src/ rather than dist/). Extra arguments filter files by substring.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const roots = ['packages', 'services', 'test'];
const files = [];
function walk(dir) {
  let entries;
  try { entries = readdirSync(dir); } catch { return; }
  for (const name of entries) {
    if (name === 'node_modules' || name === 'dist' || name === 'build' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (name.endsWith('.test.ts')) files.push(relative(root, p));
  }
}
for (const r of roots) walk(join(root, r));
const filters = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const extra = process.argv.slice(2).filter((a) => a.startsWith('--'));
const selected = files.sort().filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)));
if (selected.length === 0) { console.error('no test files matched'); process.exit(1); }
const r = spawnSync(process.execPath,
  ['--conditions=deeprelax-src', '--import', 'tsx', '--test', '--test-concurrency=1', ...extra, ...selected],
  { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
