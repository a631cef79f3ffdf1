// Response serialization into one reused buffer. grpc-js's server frames every response at once:
// serializeMessage() calls the method's serializer, allocates a fresh buffer of length + 5 and
// copies the bytes into it before returning, so the serializer's own output is dead the moment it
// has been copied. protobufjs would still allocate a fresh buffer for it every time, 1 MiB per
// tensor chunk: one of the four message-sized allocations a coordinator makes per chunk of an
// exchange (receive, serialize, frame), each costing page faults on first touch and GC pressure.
//
// The wrapper keeps proto-loader's serializer (so the bytes are its bytes) and, for the duration of
// the synchronous call, points protobufjs's BufferWriter allocation at a scratch buffer. Only the
// server side uses it: a client's request serialization is copied later (after an await in the
// compression filter), so the bytes must outlive the call there.
import type * as grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs';

/** Messages up to this size go through the scratch buffer; larger ones get their own allocation. */
export const SCRATCH_MAX_BYTES = 8 << 20;

type Alloc = (size: number) => Uint8Array;
const writer = protobuf.BufferWriter as unknown as { alloc: Alloc };
// allocUnsafeSlow: a buffer of its own, never a slice of Node's shared small-buffer pool.
let scratch: Buffer = Buffer.allocUnsafeSlow(0);
/** protobufjs's own allocator while a scratch serialization runs, else null. */
let outerAlloc: Alloc | null = null;

function scratchAlloc(this: unknown, size: number): Uint8Array {
  if (size > SCRATCH_MAX_BYTES) return Buffer.allocUnsafe(size);
  if (scratch.length < size) scratch = Buffer.allocUnsafeSlow(Math.max(size, 64 << 10, Math.min(2 * scratch.length, SCRATCH_MAX_BYTES)));
  return scratch.subarray(0, size);
}

/**
 * `serialize` writing into the shared scratch buffer: the returned Buffer is valid only until the
 * next call. For grpc-js server responses, which copy it before returning.
 */
export function scratchSerializer<T>(serialize: grpc.serialize<T>): grpc.serialize<T> {
  return (value: T): Buffer => {
    if (outerAlloc !== null) {
      // Re-entered (protobufjs encodes synchronously without callbacks, so this does not happen):
      // the inner message gets a fresh buffer rather than the one the outer call is using.
      const current = writer.alloc;
      writer.alloc = outerAlloc;
      try {
        return serialize(value);
      } finally {
        writer.alloc = current;
      }
    }
    outerAlloc = writer.alloc;
    writer.alloc = scratchAlloc;
    try {
      return serialize(value);
    } finally {
      writer.alloc = outerAlloc;
      outerAlloc = null;
    }
  };
}

/** Whether `b` lives in the scratch buffer (for tests: the swap still reaches protobufjs). */
export function isScratch(b: Uint8Array): boolean {
  return b.buffer === scratch.buffer && scratch.length > 0;
}

/** The service definition with every server-streaming method's responses serialized via scratch. */
export function withScratchResponses<S extends grpc.ServiceDefinition>(service: S): S {
  const out: Record<string, grpc.MethodDefinition<unknown, unknown>> = {};
  for (const [name, method] of Object.entries(service) as [string, grpc.MethodDefinition<unknown, unknown>][]) {
    out[name] = method.responseStream ? { ...method, responseSerialize: scratchSerializer(method.responseSerialize) } : method;
  }
  return out as S;
}
