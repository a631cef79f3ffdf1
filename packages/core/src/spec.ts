// Declarative model specs: data, not code per engine. Every engine builds the same network from a
// ModelSpec, and the flat parameter layout below is identical across engines so that weights,
// checkpoints and gradients can move between them bit for bit.
//
// Layout (PyTorch's, so a native libtorch engine needs no transposes):
//   tensors are NCHW; inputShape excludes the batch dimension ([C,H,W] or [D]).
//   linear:      weight [out, in], then bias [out]
//   conv2d:      weight [outChannels, inChannels, kernel, kernel], then bias [outChannels]
//   batchnorm:   weight (gamma) [features], then bias (beta) [features]
//                buffers: runningMean [features], then runningVar [features]
// Parameters are concatenated in layer order; buffers likewise.

export type LayerSpec =
  | { kind: 'linear'; inFeatures: number; outFeatures: number; bias?: boolean }
  | {
      kind: 'conv2d';
      inChannels: number;
      outChannels: number;
      kernel: number;
      stride?: number;
      padding?: number;
      bias?: boolean;
    }
  | { kind: 'batchnorm1d'; features: number; eps?: number; momentum?: number }
  | { kind: 'batchnorm2d'; features: number; eps?: number; momentum?: number }
  | { kind: 'relu' }
  | { kind: 'maxpool2d'; kernel: number; stride?: number }
  | { kind: 'avgpool2d'; kernel: number; stride?: number }
  | { kind: 'dropout'; p: number }
  | { kind: 'flatten' };

export type LayerKind = LayerSpec['kind'];

export interface ModelSpec {
  /** Human-readable name, e.g. "mnistfc". */
  name: string;
  /** Shape of one input sample without the batch dimension: [C,H,W] for images, [D] for vectors. */
  inputShape: number[];
  /** Number of output classes (logits); loss is softmax cross-entropy over these. */
  numClasses: number;
  layers: LayerSpec[];
}

/** One parameter tensor of the flat vector. */
export interface ParamSlot {
  layer: number;
  name: 'weight' | 'bias';
  shape: number[];
  offset: number;
  size: number;
  /** fan-in used by PyTorch's default initialisation (0 for batch-norm). */
  fanIn: number;
}

/** One buffer tensor (batch-norm running statistics). */
export interface BufferSlot {
  layer: number;
  name: 'runningMean' | 'runningVar';
  shape: number[];
  offset: number;
  size: number;
}

export interface ParamLayout {
  params: ParamSlot[];
  buffers: BufferSlot[];
  numParams: number;
  numBuffers: number;
  /** Shape after each layer (without batch), outputShapes[i] is the output of layers[i]. */
  outputShapes: number[][];
}

export const DEFAULT_BN_EPS = 1e-5;
export const DEFAULT_BN_MOMENTUM = 0.1;

export class SpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SpecError';
  }
}

function positiveInt(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) {
    throw new SpecError(`${what} must be a positive integer, got ${String(v)}`);
  }
  return v;
}

function poolOut(n: number, k: number, s: number, what: string): number {
  const o = Math.floor((n - k) / s) + 1;
  if (o <= 0) throw new SpecError(`${what}: kernel ${k} does not fit input size ${n}`);
  return o;
}

/**
 * Validates a spec, infers every layer's output shape and the flat parameter/buffer layout.
 * Throws SpecError naming the layer and the problem.
 */
export function layoutOf(spec: ModelSpec): ParamLayout {
  if (!spec || !Array.isArray(spec.layers)) throw new SpecError('model spec must have a layers array');
  if (!Array.isArray(spec.inputShape) || spec.inputShape.length === 0) {
    throw new SpecError('model spec inputShape must be a non-empty array');
  }
  spec.inputShape.forEach((d, i) => positiveInt(d, `inputShape[${i}]`));
  positiveInt(spec.numClasses, 'numClasses');
  let shape = [...spec.inputShape];
  const params: ParamSlot[] = [];
  const buffers: BufferSlot[] = [];
  const outputShapes: number[][] = [];
  let p = 0;
  let b = 0;
  const addParam = (layer: number, name: 'weight' | 'bias', pshape: number[], fanIn: number) => {
    const size = pshape.reduce((a, c) => a * c, 1);
    params.push({ layer, name, shape: pshape, offset: p, size, fanIn });
    p += size;
  };
  const addBuffer = (layer: number, name: 'runningMean' | 'runningVar', n: number) => {
    buffers.push({ layer, name, shape: [n], offset: b, size: n });
    b += n;
  };
  spec.layers.forEach((l, i) => {
    const where = `layer ${i} (${(l as { kind?: string })?.kind ?? '?'})`;
    switch (l?.kind) {
      case 'linear': {
        positiveInt(l.inFeatures, `${where} inFeatures`);
        positiveInt(l.outFeatures, `${where} outFeatures`);
        if (shape.length !== 1 || shape[0] !== l.inFeatures) {
          throw new SpecError(`${where}: expects input [${l.inFeatures}], got [${shape}]`);
        }
        addParam(i, 'weight', [l.outFeatures, l.inFeatures], l.inFeatures);
        if (l.bias !== false) addParam(i, 'bias', [l.outFeatures], l.inFeatures);
        shape = [l.outFeatures];
        break;
      }
      case 'conv2d': {
        positiveInt(l.inChannels, `${where} inChannels`);
        positiveInt(l.outChannels, `${where} outChannels`);
        positiveInt(l.kernel, `${where} kernel`);
        const s = l.stride ?? 1;
        const pad = l.padding ?? 0;
        positiveInt(s, `${where} stride`);
        if (!Number.isInteger(pad) || pad < 0) throw new SpecError(`${where}: padding must be >= 0`);
        if (shape.length !== 3 || shape[0] !== l.inChannels) {
          throw new SpecError(`${where}: expects input [${l.inChannels},H,W], got [${shape}]`);
        }
        const fanIn = l.inChannels * l.kernel * l.kernel;
        addParam(i, 'weight', [l.outChannels, l.inChannels, l.kernel, l.kernel], fanIn);
        if (l.bias !== false) addParam(i, 'bias', [l.outChannels], fanIn);
        shape = [
          l.outChannels,
          poolOut(shape[1] + 2 * pad, l.kernel, s, where),
          poolOut(shape[2] + 2 * pad, l.kernel, s, where),
        ];
        break;
      }
      case 'batchnorm1d':
      case 'batchnorm2d': {
        positiveInt(l.features, `${where} features`);
        const ok = l.kind === 'batchnorm1d' ? shape.length === 1 : shape.length === 3;
        if (!ok || shape[0] !== l.features) {
          throw new SpecError(`${where}: expects ${l.features} features/channels, got input [${shape}]`);
        }
        addParam(i, 'weight', [l.features], 0);
        addParam(i, 'bias', [l.features], 0);
        addBuffer(i, 'runningMean', l.features);
        addBuffer(i, 'runningVar', l.features);
        break;
      }
      case 'relu':
        break;
      case 'dropout':
        if (typeof l.p !== 'number' || !(l.p >= 0 && l.p < 1)) {
          throw new SpecError(`${where}: p must be in [0, 1), got ${String(l.p)}`);
        }
        break;
      case 'maxpool2d':
      case 'avgpool2d': {
        positiveInt(l.kernel, `${where} kernel`);
        const s = l.stride ?? l.kernel;
        positiveInt(s, `${where} stride`);
        if (shape.length !== 3) throw new SpecError(`${where}: expects [C,H,W] input, got [${shape}]`);
        shape = [shape[0], poolOut(shape[1], l.kernel, s, where), poolOut(shape[2], l.kernel, s, where)];
        break;
      }
      case 'flatten':
        shape = [shape.reduce((a, c) => a * c, 1)];
        break;
      default:
        throw new SpecError(`${where}: unknown layer kind`);
    }
    outputShapes.push([...shape]);
  });
  if (shape.length !== 1 || shape[0] !== spec.numClasses) {
    throw new SpecError(`model output is [${shape}], expected [${spec.numClasses}] logits`);
  }
  return { params, buffers, numParams: p, numBuffers: b, outputShapes };
}

export function inputSize(spec: ModelSpec): number {
  return spec.inputShape.reduce((a, c) => a * c, 1);
}
