#!/usr/bin/env node
// Finds a libtorch to build the addon against, in this order:
//   1. the folder named by the LIBTORCH environment variable (an unpacked libtorch download),
//   2. Debian's libtorch-dev (headers under /usr/include/torch, libraries in the multiarch dir),
//   3. a Python torch install (python3 -c 'import torch'), which ships include/ and lib/.
// Usage:
//   node find-libtorch.mjs                 prints the result as JSON (exit 0 whether found or not)
//   node find-libtorch.mjs --gyp include   include dirs, space-separated (for binding.gyp's <!@(...))
//   node find-libtorch.mjs --gyp libs      linker inputs                  (exits 1 when not found)
//   node find-libtorch.mjs --gyp ldflags   rpath flags
//   node find-libtorch.mjs --gyp defines   preprocessor defines
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const API_INCLUDE = join('torch', 'csrc', 'api', 'include');
const REMEDY =
  'apt-get install libtorch-dev (Debian/Ubuntu), or set LIBTORCH to an unpacked libtorch folder, ' +
  'or pip install torch; then run: npm run build:native -w @deeprelax/engine-torch';

function versionFrom(includeDir) {
  const f = join(includeDir, API_INCLUDE, 'torch', 'version.h');
  if (!existsSync(f)) return 'unknown';
  const text = readFileSync(f, 'utf8');
  const get = (k) => (text.match(new RegExp(`#define TORCH_VERSION_${k}\\s+(\\d+)`)) ?? [])[1];
  const [a, b, c] = [get('MAJOR'), get('MINOR'), get('PATCH')];
  return a !== undefined ? `${a}.${b}.${c}` : 'unknown';
}

function abiFromCmake(root) {
  const f = join(root, 'share', 'cmake', 'Torch', 'TorchConfig.cmake');
  if (!existsSync(f)) return null;
  const m = readFileSync(f, 'utf8').match(/_GLIBCXX_USE_CXX11_ABI=(\d)/);
  return m ? Number(m[1]) : null;
}

function describe(kind, root, includeDir, libDir, abi, system) {
  const cuda = existsSync(join(libDir, 'libtorch_cuda.so'));
  return {
    found: true,
    kind,
    root,
    version: versionFrom(includeDir),
    includeDirs: system ? [join(includeDir, API_INCLUDE)] : [includeDir, join(includeDir, API_INCLUDE)],
    libDir,
    cuda,
    cxx11Abi: abi,
    // rpath only where the loader would not find the libraries by itself.
    rpath: system ? null : libDir,
    reason: `libtorch ${versionFrom(includeDir)} from ${kind} (${root})`,
  };
}

function hasLibs(libDir) {
  return existsSync(join(libDir, 'libtorch_cpu.so')) && existsSync(join(libDir, 'libc10.so'));
}

function fromLibtorchEnv(dir) {
  const root = resolve(dir);
  const inc = join(root, 'include');
  const lib = join(root, 'lib');
  if (!existsSync(join(inc, API_INCLUDE, 'torch', 'all.h')) || !hasLibs(lib)) {
    return { found: false, reason: `LIBTORCH=${dir} is not a libtorch folder (needs include/${API_INCLUDE}/torch/all.h and lib/libtorch_cpu.so)` };
  }
  return describe('LIBTORCH', root, inc, lib, abiFromCmake(root) ?? 1, false);
}

function fromDebian() {
  const inc = '/usr/include';
  if (!existsSync(join(inc, API_INCLUDE, 'torch', 'all.h'))) return null;
  const candidates = [];
  try {
    for (const d of readdirSync('/usr/lib')) if (d.endsWith('-linux-gnu')) candidates.push(join('/usr/lib', d));
  } catch {
    /* no /usr/lib */
  }
  candidates.push('/usr/lib64', '/usr/lib');
  const lib = candidates.find(hasLibs);
  if (!lib) return null;
  return describe('libtorch-dev', '/usr', inc, lib, 1, true);
}

function fromPython() {
  const pythons = [process.env.PYTHON, 'python3', '/usr/bin/python3', 'python'].filter(Boolean);
  const code =
    'import json, os, torch\n' +
    'print(json.dumps({"dir": os.path.dirname(torch.__file__), "abi": int(torch._C._GLIBCXX_USE_CXX11_ABI)}))';
  for (const py of [...new Set(pythons)]) {
    const r = spawnSync(py, ['-c', code], { encoding: 'utf8', timeout: 60_000 });
    if (r.status !== 0 || !r.stdout) continue;
    try {
      const { dir, abi } = JSON.parse(r.stdout.trim().split('\n').pop());
      const inc = join(dir, 'include');
      const lib = join(dir, 'lib');
      if (existsSync(join(inc, API_INCLUDE, 'torch', 'all.h')) && hasLibs(lib)) {
        return describe(`python torch (${py})`, dir, inc, lib, abi, false);
      }
    } catch {
      /* not JSON: ignore this python */
    }
  }
  return null;
}

export function findLibtorch() {
  if (process.env.LIBTORCH) return fromLibtorchEnv(process.env.LIBTORCH);
  const found = fromDebian() ?? fromPython();
  if (found) return found;
  return { found: false, reason: `libtorch not found. Remedy: ${REMEDY}` };
}

export { REMEDY };

function gyp(what, t) {
  if (!t.found) {
    process.stderr.write(`find-libtorch: ${t.reason}\n`);
    process.exit(1);
  }
  switch (what) {
    case 'include':
      return t.includeDirs.join(' ');
    case 'libs': {
      const l = [`-L${t.libDir}`, '-Wl,--no-as-needed', '-ltorch', '-ltorch_cpu', '-lc10'];
      if (t.cuda) l.push('-ltorch_cuda', '-lc10_cuda');
      l.push('-Wl,--as-needed', '-ldl');
      return l.join(' ');
    }
    case 'ldflags':
      return t.rpath ? `-Wl,-rpath,${t.rpath}` : '';
    case 'defines':
      return `_GLIBCXX_USE_CXX11_ABI=${t.cxx11Abi}`;
    default:
      process.stderr.write(`find-libtorch: unknown --gyp ${what}\n`);
      process.exit(2);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const t = findLibtorch();
  const i = process.argv.indexOf('--gyp');
  if (i >= 0) process.stdout.write(gyp(process.argv[i + 1], t) + '\n');
  else process.stdout.write(JSON.stringify(t, null, 2) + '\n');
}
