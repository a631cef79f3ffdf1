// The tfjs Engine: loads TensorFlow.js with the best available backend (backend.ts) and builds
// models from specs. Creation is async (backends load dynamically); everything after is synchronous.
import { EngineError, layoutOf, type Engine, type ModelOptions, type ModelSpec } from '@deeprelax/core';
import { loadBackend, type BackendName, type BackendPreference, type BackendSelection, type Tf } from './backend.js';
import { TfjsModel } from './model.js';
import type { KernelChoices } from './network.js';
import { argmaxPoolIsBuggy } from './pool.js';

export interface TfjsEngineOptions {
  /** 'auto' (default): tfjs-node-gpu > tfjs-node > wasm > cpu. A named backend must load or this throws. */
  backend?: BackendPreference;
  /**
   * Compute convolution filter gradients with a forward convolution instead of tfjs's
   * Conv2DBackpropFilter kernel. Default: on for 'wasm' (which lacks that kernel) and 'cpu' (where
   * it is ~10x faster), off for the libtensorflow backends.
   */
  convFilterGradByConv?: boolean;
  /**
   * With convFilterGradByConv: compute stride-1 conv input gradients by a forward convolution of the
   * padded output gradient with the flipped filter. Default: on for 'wasm', where Conv2DBackpropInput
   * is ~5x slower than Conv2D (conv.ts).
   */
  convInputGradByConv?: boolean;
  /**
   * Differentiate linear layers with plain (untransposed) matMuls only. Default: on for 'wasm',
   * where transposed matMuls are ~10x slower (linear.ts).
   */
  plainMatMuls?: boolean;
  /**
   * Differentiate max pooling by argmax + scatter instead of the MaxPoolGrad kernel. Default: on for
   * 'wasm' and 'cpu', where that kernel is 2.5-3x slower (pool.ts).
   */
  maxPoolGradByScatter?: boolean;
}

export class TfjsEngine implements Engine {
  readonly name = 'tfjs';
  readonly description: string;
  /** How conv and linear layers are differentiated on this backend. */
  readonly kernels: KernelChoices;

  constructor(
    readonly tf: Tf,
    readonly selection: BackendSelection,
    options: TfjsEngineOptions = {},
  ) {
    // Which layers get hand-written gradients (conv.ts, linear.ts, pool.ts): only where tfjs's own
    // kernels are missing or measured slower; the libtensorflow backends use tfjs's gradients.
    const b = selection.backend;
    const js = b === 'wasm' || b === 'cpu';
    const convFilterGradByConv = options.convFilterGradByConv ?? js;
    const maxPoolGradByScatter = options.maxPoolGradByScatter ?? js;
    this.kernels = {
      convFilterGradByConv,
      convInputGradByConv: convFilterGradByConv && (options.convInputGradByConv ?? b === 'wasm'),
      plainMatMuls: options.plainMatMuls ?? b === 'wasm',
      maxPoolGradByScatter,
      argmaxNeedsShift: maxPoolGradByScatter && argmaxPoolIsBuggy(tf),
    };
    if (!this.kernels.convFilterGradByConv && !tf.getKernel('Conv2DBackpropFilter', selection.tfBackend)) {
      throw new EngineError(
        `tfjs backend '${selection.tfBackend}' has no Conv2DBackpropFilter kernel: convFilterGradByConv must be true there`,
      );
    }
    const detail = selection.tried.find((t) => t.backend === b && t.ok)?.detail.replace(/^loaded,? ?/, '') ?? '';
    const what: Record<BackendName, string> = {
      'tensorflow-gpu': 'libtensorflow, cuda',
      tensorflow: 'libtensorflow, cpu',
      wasm: `XNNPACK${detail ? `, ${detail}` : ''}`,
      cpu: 'pure JavaScript',
    };
    this.description = `tfjs ${selection.version} ${selection.tfBackend} backend (${what[b]}) via ${selection.package}`;
  }

  createModel(spec: ModelSpec, options: ModelOptions): TfjsModel {
    const layout = layoutOf(spec); // throws SpecError naming the layer
    if (!options || typeof options.seed !== 'number' || !Number.isFinite(options.seed)) {
      throw new EngineError(`createModel: options.seed must be a finite number, got ${String(options?.seed)}`);
    }
    if (this.tf.getBackend() !== this.selection.tfBackend) {
      throw new EngineError(
        `tfjs backend changed to '${this.tf.getBackend()}' since this engine selected '${this.selection.tfBackend}'`,
      );
    }
    return new TfjsModel(this.tf, spec, layout, {
      seed: options.seed,
      initialParams: options.initialParams,
      kernels: this.kernels,
    });
  }
}

/** Creates the tfjs engine; the backend it picked and why are in `engine.selection` (log them). */
export async function createTfjsEngine(options: TfjsEngineOptions = {}): Promise<TfjsEngine> {
  const { tf, selection } = await loadBackend(options.backend ?? 'auto');
  return new TfjsEngine(tf, selection, options);
}
