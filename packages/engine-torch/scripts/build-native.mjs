#!/usr/bin/env node
// Builds the torch addon (build/Release/deeprelax_torch.node) with node-gyp when a libtorch is found
// (see find-libtorch.mjs), and does nothing, successfully, when none is: the engine then reports
// itself unavailable at run time with the remedy. A stamp of the inputs skips rebuilding an
// up-to-date addon, so the install script costs nothing on repeated `npm install`s.
//   node scripts/build-native.mjs            build if needed; exit 1 if a found libtorch fails to build
//   node scripts/build-native.mjs --optional as above, but a failed build only warns (npm install)
//   node scripts/build-native.mjs --force    rebuild even when up to date
// DEEPRELAX_SKIP_NATIVE=1 skips the build altogether.
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, readdirSync, statSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { findLibtorch, REMEDY } from './find-libtorch.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const addon = join(root, 'build', 'Release', 'deeprelax_torch.node');
const stampFile = join(root, 'build', 'deeprelax-stamp.json');
const args = process.argv.slice(2);
const optional = args.includes('--optional');
const force = args.includes('--force');
const log = (msg) => process.stderr.write(`engine-torch: ${msg}\n`);

if (process.env.DEEPRELAX_SKIP_NATIVE === '1') {
  log('native build skipped (DEEPRELAX_SKIP_NATIVE=1)');
  process.exit(0);
}

const torch = findLibtorch();
if (!torch.found) {
  log(`${torch.reason}`);
  log('the torch engine will report itself unavailable; the rest of deeprelax works without it');
  process.exit(0);
}

function stamp() {
  const h = createHash('sha256');
  const inputs = [join(root, 'binding.gyp'), join(root, 'scripts', 'find-libtorch.mjs')];
  const nativeDir = join(root, 'src', 'native');
  for (const f of readdirSync(nativeDir).sort()) inputs.push(join(nativeDir, f));
  for (const f of inputs) h.update(f).update(readFileSync(f));
  const require = createRequire(join(root, 'package.json'));
  let napiVersion = 'unknown';
  try {
    napiVersion = JSON.parse(readFileSync(require.resolve('node-addon-api/package.json'), 'utf8')).version;
  } catch {
    /* resolved below by node-gyp, which will fail loudly if it is missing */
  }
  h.update(JSON.stringify({ torch, node: process.version, modules: process.versions.modules, napiVersion }));
  return h.digest('hex');
}

const want = stamp();
function upToDate() {
  if (force || !existsSync(addon) || !existsSync(stampFile)) return false;
  try {
    return JSON.parse(readFileSync(stampFile, 'utf8')).stamp === want;
  } catch {
    return false; // unreadable stamp: rebuild
  }
}
if (upToDate()) {
  log(`addon up to date (${torch.reason})`);
  process.exit(0);
}

// One build at a time per checkout: concurrent `npm install`s each run this script.
const lockFile = join(tmpdir(), `deeprelax-engine-torch-${createHash('sha256').update(root).digest('hex').slice(0, 16)}.lock`);
function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}
function acquireLock() {
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    try {
      const fd = openSync(lockFile, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      process.on('exit', () => {
        try {
          unlinkSync(lockFile);
        } catch {
          /* already gone */
        }
      });
      return;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
    }
    let holder = NaN;
    try {
      holder = Number(readFileSync(lockFile, 'utf8'));
    } catch {
      continue; // released meanwhile
    }
    let age = 0;
    try {
      age = Date.now() - statSync(lockFile).mtimeMs;
    } catch {
      continue;
    }
    if ((Number.isInteger(holder) && holder > 0 && !alive(holder)) || age > 15 * 60_000) {
      try {
        unlinkSync(lockFile); // stale
      } catch {
        /* someone else removed it */
      }
      continue;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for another build (lock ${lockFile}, pid ${holder})`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000);
  }
}
acquireLock();
if (upToDate()) {
  log(`addon up to date (built by a concurrent run; ${torch.reason})`);
  process.exit(0);
}

function findNodeGyp() {
  const candidates = [];
  if (process.env.npm_config_node_gyp) candidates.push(process.env.npm_config_node_gyp);
  try {
    candidates.push(createRequire(join(root, 'package.json')).resolve('node-gyp/bin/node-gyp.js'));
  } catch {
    /* not installed locally */
  }
  const prefix = dirname(dirname(process.execPath));
  candidates.push(join(prefix, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  const npmRoot = spawnSync('npm', ['root', '-g'], { encoding: 'utf8' });
  if (npmRoot.status === 0) {
    candidates.push(join(npmRoot.stdout.trim(), 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  }
  return candidates.find((c) => c.endsWith('.js') && existsSync(c)) ?? null;
}

const nodeGyp = findNodeGyp();
if (!nodeGyp) {
  log('node-gyp not found (it ships with npm); install it with: npm install -g node-gyp');
  process.exit(optional ? 0 : 1);
}
const gypArgs = [nodeGyp, 'rebuild', '--jobs', 'max', '--loglevel=warn'];
// Build against the running node's own headers when npm has not named a nodedir: no download.
const prefix = dirname(dirname(process.execPath));
if (!process.env.npm_config_nodedir && existsSync(join(prefix, 'include', 'node', 'node_api.h'))) {
  gypArgs.push(`--nodedir=${prefix}`);
}
log(`building the addon against ${torch.reason} (this takes a minute)`);
const started = Date.now();
try {
  unlinkSync(stampFile); // a half-finished build must not look up to date
} catch {
  /* none yet */
}
const r = spawnSync(process.execPath, gypArgs, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
if (r.status !== 0) {
  log(`node-gyp failed (exit ${r.status ?? r.signal}); the torch engine will be unavailable.`);
  log(`fix the error above, or: ${REMEDY}`);
  process.exit(optional ? 0 : 1);
}
writeFileSync(stampFile, JSON.stringify({ stamp: want, torch, built: new Date().toISOString() }, null, 2) + '\n');
log(`addon built in ${((Date.now() - started) / 1000).toFixed(0)} s: ${addon}`);
