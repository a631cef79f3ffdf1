// The committed stubs in src/generated must be what the generator makes from the protos now.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { DEFAULT_OUT_DIR, generate } from '../scripts/gen-types.js';

function files(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

test('generated stubs are up to date with proto/deeprelax/v1 (run `npm run gen -w @deeprelax/rpc`)', (t) => {
  const tmp = mkdtempSync(join(tmpdir(), 'deeprelax-gen-'));
  t.after(() => rmSync(tmp, { recursive: true, force: true }));
  generate(tmp);
  const fresh = files(tmp);
  const committed = files(DEFAULT_OUT_DIR);
  assert.deepEqual(committed, fresh, 'generated file list differs: stubs are stale');
  const stale = fresh.filter((f) => readFileSync(join(tmp, f), 'utf8') !== readFileSync(join(DEFAULT_OUT_DIR, f), 'utf8'));
  assert.deepEqual(stale, [], `stale generated files: ${stale.join(', ')}`);
});
