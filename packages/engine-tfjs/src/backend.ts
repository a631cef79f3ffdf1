// Picks the TensorFlow.js backend once per process: tfjs-node-gpu > tfjs-node > wasm > pure-JS cpu.
// The native packages are optional dependencies whose install downloads libtensorflow, so they are
// loaded dynamically and a failure to load is recorded, never thrown, unless the caller asked for
// that backend by name. Nothing is printed: the selection (with every attempt and its error) is
// returned for the caller to log.
import type * as TfModule from '@tensorflow/tfjs';
import { EngineError } from '@deeprelax/core';

export type Tf = typeof TfModule;

/** Backends in order of preference. 'tensorflow-gpu' and 'tensorflow' are libtensorflow via N-API. */
export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';
export type BackendPreference = 'auto' | BackendName;
export const BACKEND_ORDER: readonly BackendName[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

export interface BackendAttempt {
  backend: BackendName;
  /** npm package that was loaded for it. */
  package: string;
  ok: boolean;
  /** Why it failed (the loader's error message), or what it found. */
  detail: string;
}

export interface BackendSelection {
  backend: BackendName;
  /** tfjs's own backend name: 'tensorflow', 'wasm' or 'cpu'. */
  tfBackend: string;
  package: string;
  /** @tensorflow/tfjs-core version in use. */
  version: string;
  /** Why this backend was chosen, in one sentence, for the run's log. */
  reason: string;
  /** Every backend tried, in order, including the chosen one. */
  tried: BackendAttempt[];
}

export interface LoadedBackend {
  tf: Tf;
  selection: BackendSelection;
}

const PACKAGES: Record<BackendName, string> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: '@tensorflow/tfjs',
};

const WHY: Record<BackendName, string> = {
  'tensorflow-gpu': 'libtensorflow with CUDA via tfjs-node-gpu',
  tensorflow: 'libtensorflow (CPU) via tfjs-node',
  wasm: 'XNNPACK WebAssembly kernels via tfjs-backend-wasm (4x pure JS on an MLP, ~50x on convolutions)',
  cpu: 'pure-JavaScript kernels (slowest)',
};

const REMEDY: Record<BackendName, string> = {
  'tensorflow-gpu':
    'install @tensorflow/tfjs-node-gpu with its install script allowed (it downloads libtensorflow with CUDA) on a host with CUDA 11.x and cuDNN 8',
  tensorflow: 'install @tensorflow/tfjs-node with its install script allowed (it downloads libtensorflow)',
  wasm: 'install @tensorflow/tfjs-backend-wasm',
  cpu: 'install @tensorflow/tfjs',
};

// A dynamic import through a variable, so that TypeScript does not require optional packages.
async function load(specifier: string): Promise<unknown> {
  const mod = (await import(specifier)) as { default?: unknown };
  return mod;
}

function asTf(mod: unknown): Tf {
  const m = mod as Record<string, unknown> & { default?: Record<string, unknown> };
  if (typeof m.tensor === 'function') return m as unknown as Tf;
  if (m.default && typeof m.default.tensor === 'function') return m.default as unknown as Tf;
  throw new Error('module does not look like TensorFlow.js (no tensor function)');
}

function message(e: unknown): string {
  const s = e instanceof Error ? e.message : String(e);
  return s.split('\n')[0].slice(0, 300);
}

/** Returns a function that removes the process error listeners added since the snapshot. */
function snapshotProcessListeners(): () => void {
  const exc = new Set(process.listeners('uncaughtException'));
  const rej = new Set(process.listeners('unhandledRejection'));
  return () => {
    for (const l of process.listeners('uncaughtException')) if (!exc.has(l)) process.removeListener('uncaughtException', l);
    for (const l of process.listeners('unhandledRejection')) if (!rej.has(l)) process.removeListener('unhandledRejection', l);
  };
}

async function tryBackend(name: BackendName): Promise<{ tf: Tf; detail: string }> {
  switch (name) {
    case 'tensorflow-gpu':
    case 'tensorflow': {
      const tf = asTf(await load(PACKAGES[name]));
      await tf.ready();
      if (tf.getBackend() !== 'tensorflow' && !(await tf.setBackend('tensorflow'))) {
        throw new Error(`backend 'tensorflow' did not initialise (active: ${tf.getBackend()})`);
      }
      return { tf, detail: `loaded, tfjs backend 'tensorflow'` };
    }
    case 'wasm': {
      const tf = asTf(await load(PACKAGES.cpu));
      // The emscripten runtime inside tfjs-backend-wasm installs process-wide 'uncaughtException'
      // and 'unhandledRejection' listeners that rethrow, so any later crash of the host process
      // prints the whole minified runtime as context. They serve nothing in Node: remove them.
      const restore = snapshotProcessListeners();
      try {
        await load(PACKAGES.wasm); // registers the 'wasm' backend with the shared tfjs-core
        if (!(await tf.setBackend('wasm'))) throw new Error(`backend 'wasm' failed to initialise`);
        await tf.ready();
      } finally {
        restore();
      }
      let simd = false;
      try {
        simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
      } catch {
        // flag unknown in this version: leave false
      }
      return { tf, detail: `loaded, ${simd ? 'SIMD' : 'no SIMD'}, single-threaded` };
    }
    case 'cpu': {
      const tf = asTf(await load(PACKAGES.cpu));
      if (!(await tf.setBackend('cpu'))) throw new Error(`backend 'cpu' failed to initialise`);
      await tf.ready();
      return { tf, detail: 'loaded' };
    }
  }
}

async function select(preference: BackendPreference): Promise<LoadedBackend> {
  const order = preference === 'auto' ? BACKEND_ORDER : [preference];
  const tried: BackendAttempt[] = [];
  for (const name of order) {
    try {
      const { tf, detail } = await tryBackend(name);
      tried.push({ backend: name, package: PACKAGES[name], ok: true, detail });
      // PROD mode silences tfjs's console warnings (e.g. "looks like you are running in Node.js"):
      // libraries never print; the selection below carries the same information.
      tf.enableProdMode();
      const skipped = tried.filter((t) => !t.ok).map((t) => `${t.package} (${t.detail})`);
      const reason =
        preference === 'auto'
          ? `${WHY[name]}: the fastest backend available` +
            (skipped.length > 0 ? `; unavailable: ${skipped.join('; ')}` : '')
          : `${WHY[name]}: requested explicitly`;
      return {
        tf,
        selection: {
          backend: name,
          tfBackend: tf.getBackend(),
          package: PACKAGES[name],
          version: tf.version_core,
          reason,
          tried,
        },
      };
    } catch (e) {
      tried.push({ backend: name, package: PACKAGES[name], ok: false, detail: message(e) });
    }
  }
  const last = tried[tried.length - 1];
  throw new EngineError(
    preference === 'auto'
      ? `no TensorFlow.js backend could be loaded: ${tried.map((t) => `${t.package}: ${t.detail}`).join('; ')}; remedy: ${REMEDY.cpu}`
      : `tfjs backend '${preference}' is not available (${last.package}: ${last.detail}); remedy: ${REMEDY[preference]}, or use backend 'auto'`,
  );
}

let active: { preference: BackendPreference; promise: Promise<LoadedBackend> } | null = null;

/**
 * Loads TensorFlow.js with the requested backend (default 'auto': the fastest available). tfjs's
 * backend is process-global, so the first successful selection holds for the whole process: a later
 * request for a different named backend throws EngineError; 'auto' reuses whatever was selected.
 */
export async function loadBackend(preference: BackendPreference = 'auto'): Promise<LoadedBackend> {
  if (preference !== 'auto' && !BACKEND_ORDER.includes(preference)) {
    throw new EngineError(`unknown tfjs backend '${String(preference)}'; expected auto or one of ${BACKEND_ORDER.join(', ')}`);
  }
  if (active) {
    const loaded = await active.promise;
    if (preference === 'auto' || preference === loaded.selection.backend) return loaded;
    throw new EngineError(
      `tfjs backend is already '${loaded.selection.backend}' in this process (tfjs backends are process-global); cannot switch to '${preference}'`,
    );
  }
  const promise = select(preference);
  active = { preference, promise };
  try {
    return await promise;
  } catch (e) {
    active = null; // a failed selection does not pin the process
    throw e;
  }
}
