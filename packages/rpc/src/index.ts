// @deeprelax/rpc: the wire contract (proto/deeprelax/v1) for TypeScript. Proto loading with one
// shared options object, the generated message/service types, typed servers and clients,
// tensor <-> bytes and chunked tensor streams, the error taxonomy and its gRPC status mapping,
// bearer-token auth and TLS, health and reflection, and transport fault injection for tests.
export * from './generated/index.js';
export { LOADER_OPTIONS, PROTO_FILES, PROTO_ROOT, SERVICE_NAMES, packageDefinition, protoGrpc } from './loader.js';
export * from './errors.js';
export * from './options.js';
export { crc32, crc32Js, CRC32_IMPLEMENTATION, CRC32_NATIVE, type Crc32Implementation } from './crc32.js';
export * from './dtype.js';
export * from './frames.js';
export {
  MessageReader,
  writeMessages,
  tensorStreamMessages,
  receiveTensorStream,
  type FrameIn,
  type FrameOut,
  type SendTensorsOptions,
  type ReceiveTensorsOptions,
} from './streams.js';
export * from './handlers.js';
export type { VectorPool } from './array-pool.js';
export { isScratch, scratchSerializer, SCRATCH_MAX_BYTES, withScratchResponses } from './scratch-serialize.js';
export * from './auth.js';
export * from './faults.js';
export { checkHealth, healthPackageDefinition, HealthImplementation, HEALTH_SERVICE_NAME, type ServingStatus } from './health.js';
export * from './server.js';
export * from './client.js';
export * from './names.js';

// grpc-js itself, so that services need no direct dependency on it for Metadata, status codes,
// call types and credentials.
import * as grpc from '@grpc/grpc-js';
export { grpc };
/** gRPC status codes (grpc.status). */
export const grpcStatus = grpc.status;
