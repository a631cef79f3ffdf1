// Recycled float32 vectors, allocated where the WebAssembly kernels can work on them in place.
//
// The coordinator's exchange path holds a handful of vectors of one length per job (x, the next
// x, replies, received replicas): a fresh 7.5 MB array per exchange (mnistfc) costs 10-20 ms of
// page faults, zeroing and GC on these VMs, so they are recycled (take / give). An arena keeps,
// per length, one segment: a fixed-size WebAssembly.Memory cut into slots, so the centre updates
// run as SIMD kernels over the slots (kernels.ts) instead of scalar TypeScript loops. When the
// segment is full, the length too large, or WebAssembly SIMD missing, take() hands out ordinary
// Float32Arrays (recycled as well) and the callers' TypeScript paths run: same results, slower.
import { KernelMemory, kernelModule, POINTER_AREA_BYTES } from './kernels.js';

export interface Float32ArenaOptions {
  /** Use WebAssembly memories (default true; false: ordinary arrays only, e.g. to compare). */
  wasm?: boolean;
  /** Slots per length (default 16). */
  slotsPerLength?: number;
  /** Largest segment, in bytes (default 512 MiB): fewer slots for large vectors. */
  maxSegmentBytes?: number;
  /** Most bytes over all segments (default 2 GiB); later lengths get ordinary arrays. */
  maxTotalBytes?: number;
  /** Ordinary arrays kept for reuse per length (default 4). */
  keepPerLength?: number;
}

/** Slots start on cache-line boundaries. */
const SLOT_ALIGN = 64;

class Segment {
  readonly memory: KernelMemory;
  readonly free: number[] = [];
  /** Per slot: the view its current holder got from take(), or null while the slot is free. */
  private readonly issued: (Float32Array | null)[] = [];

  constructor(
    readonly length: number,
    readonly stride: number,
    readonly count: number,
  ) {
    this.memory = new KernelMemory(POINTER_AREA_BYTES + count * this.stride);
    for (let j = count - 1; j >= 0; j--) this.free.push(j);
    for (let j = 0; j < count; j++) this.issued.push(null);
  }

  /**
   * A fresh view object per take, so that a holder who gives its vector back twice, after the slot
   * went to someone else in between, is told apart from the new holder: the stale give is ignored
   * instead of handing one slot to two owners.
   */
  take(): Float32Array | null {
    const j = this.free.pop();
    if (j === undefined) return null;
    const view = new Float32Array(this.memory.buffer, POINTER_AREA_BYTES + j * this.stride, this.length);
    this.issued[j] = view;
    return view;
  }

  /**
   * Frees the slot `a` is. 'foreign': `a` is not exactly one of this segment's slots; 'stale': the
   * slot has been handed out again since `a` was taken (ignored, the new holder keeps it); a give
   * of an already free slot is a no-op ('freed').
   */
  give(a: Float32Array): 'freed' | 'stale' | 'foreign' {
    if (a.buffer !== this.memory.buffer || a.length !== this.length) return 'foreign';
    const off = a.byteOffset - POINTER_AREA_BYTES;
    const j = off / this.stride;
    if (!Number.isInteger(j) || j < 0 || j >= this.count) return 'foreign';
    const holder = this.issued[j];
    if (holder !== a && holder !== null) return 'stale';
    if (holder === a) {
      this.issued[j] = null;
      this.free.push(j);
    }
    return 'freed';
  }

  get bytes(): number {
    return this.memory.buffer.byteLength;
  }
}

export interface Float32ArenaStats {
  /** Whether vectors come from WebAssembly memories (the kernels run). */
  wasm: boolean;
  segments: number;
  /** Slots handed out and not given back. */
  slotsInUse: number;
  /** take() calls answered with an ordinary array (segment full, too large, or no WebAssembly). */
  fallbacks: number;
  /**
   * give() calls with a vector whose slot had been taken again since it was given back (a holder
   * giving back twice): ignored, so the slot keeps one owner. Non-zero means a bug in the caller.
   */
  staleGives: number;
}

export class Float32Arena {
  private readonly segments = new Map<number, Segment | null>();
  private readonly plain = new Map<number, Float32Array[]>();
  private readonly wasm: boolean;
  private readonly slotsPerLength: number;
  private readonly maxSegmentBytes: number;
  private readonly maxTotalBytes: number;
  private readonly keepPerLength: number;
  private totalBytes = 0;
  private fallbacks = 0;
  private staleGives = 0;

  constructor(options: Float32ArenaOptions = {}) {
    this.wasm = (options.wasm ?? true) && kernelModule() !== null;
    this.slotsPerLength = options.slotsPerLength ?? 16;
    this.maxSegmentBytes = options.maxSegmentBytes ?? 512 * 2 ** 20;
    this.maxTotalBytes = options.maxTotalBytes ?? 2 * 2 ** 30;
    this.keepPerLength = options.keepPerLength ?? 4;
  }

  /** Whether the WebAssembly kernels are in use (else every vector is an ordinary array). */
  get kernels(): 'wasm-simd' | 'typescript' {
    return this.wasm ? 'wasm-simd' : 'typescript';
  }

  /** A vector of `length` values (contents unspecified; a new one is zeroed). */
  take(length: number): Float32Array {
    const a = this.segmentFor(length)?.take();
    if (a) return a;
    const reused = this.plain.get(length)?.pop();
    if (reused) return reused;
    if (this.wasm) this.fallbacks++;
    return new Float32Array(length);
  }

  /**
   * Gives back a vector no one reads or writes any more (from take(), or any other array). When
   * that leaves every slot of its segment free, the segment is dropped, with the ordinary arrays
   * kept for its length, so its memory can be collected: a running job always holds its x in a
   * slot, so this happens when the last job of a model size has ended, and a long-lived
   * coordinator does not keep a segment resident per model size it ever served. The next take()
   * of that length builds a new one.
   */
  give(a: Float32Array): void {
    const segment = this.segments.get(a.length);
    const given = segment?.give(a) ?? 'foreign';
    if (given === 'stale') this.staleGives++;
    if (given !== 'foreign') {
      if (segment!.free.length === segment!.count) this.drop(a.length, segment!);
      return;
    }
    if (a.byteOffset !== 0 || a.byteLength !== a.buffer.byteLength || a.length === 0) return; // a view: not ours to keep
    let list = this.plain.get(a.length);
    if (!list) this.plain.set(a.length, (list = []));
    if (list.length < this.keepPerLength && !list.includes(a)) list.push(a);
  }

  stats(): Float32ArenaStats {
    let segments = 0;
    let inUse = 0;
    for (const s of this.segments.values()) {
      if (!s) continue;
      segments++;
      inUse += s.count - s.free.length;
    }
    return { wasm: this.wasm, segments, slotsInUse: inUse, fallbacks: this.fallbacks, staleGives: this.staleGives };
  }

  private drop(length: number, segment: Segment): void {
    this.segments.delete(length);
    this.plain.delete(length);
    this.totalBytes -= segment.bytes;
  }

  private segmentFor(length: number): Segment | null {
    if (!this.wasm || !Number.isSafeInteger(length) || length <= 0) return null;
    const have = this.segments.get(length);
    if (have !== undefined) return have;
    const stride = Math.ceil((length * 4) / SLOT_ALIGN) * SLOT_ALIGN;
    const count = Math.min(this.slotsPerLength, Math.floor((this.maxSegmentBytes - POINTER_AREA_BYTES) / stride));
    let segment: Segment | null = null;
    // Fewer than 4 slots would run out at once (x, the next x, a reply, a replica).
    const bytes = POINTER_AREA_BYTES + count * stride;
    if (count >= 4 && this.totalBytes + bytes <= this.maxTotalBytes) {
      try {
        segment = new Segment(length, stride, count);
        this.totalBytes += segment.bytes;
      } catch {
        segment = null; // no address space for it: ordinary arrays
      }
    }
    this.segments.set(length, segment);
    return segment;
  }
}
