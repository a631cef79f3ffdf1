// The one place the wire contract is loaded. Every process (coordinator, workers, CLI, tests) and
// the stub generator use LOADER_OPTIONS, so the runtime objects always have the shape of the
// committed generated types (camelCase fields, enums as strings, 64-bit integers as numbers,
// defaults filled in, oneofs with a virtual discriminant field).
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { ProtoGrpcType } from './generated/coordinator.js';

/** Directory holding `deeprelax/v1/*.proto` (the repository's `proto/`). */
export const PROTO_ROOT: string = findProtoRoot();

/** The proto files of the contract, relative to PROTO_ROOT. */
export const PROTO_FILES: readonly string[] = [
  'deeprelax/v1/common.proto',
  'deeprelax/v1/jobs.proto',
  'deeprelax/v1/coordinator.proto',
];

/** Fully qualified service names. */
export const SERVICE_NAMES = {
  jobs: 'deeprelax.v1.JobService',
  coordinator: 'deeprelax.v1.CoordinatorService',
} as const;

/**
 * The one options object for proto-loader. The generator flags (scripts/gen-types.ts) are derived
 * from it, so changing a field here and regenerating keeps types and runtime in step.
 * - 64-bit integers as JS numbers: rounds, byte counts and millisecond times stay far below 2^53.
 * - enums as their string names, so logs and JSON are readable.
 * - defaults: a received message has every scalar and repeated field populated (`Foo__Output`);
 *   unset message fields are null, unset proto3 `optional` scalars are absent.
 */
export const LOADER_OPTIONS = {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
  includeDirs: [PROTO_ROOT],
} satisfies protoLoader.Options;

function findProtoRoot(): string {
  // src/loader.ts and dist/loader.js both sit two levels under the repository root's packages/.
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [resolve(here, '../../../proto'), resolve(here, '../../../../proto')];
  for (const c of candidates) {
    if (existsSync(resolve(c, 'deeprelax/v1/common.proto'))) return c;
  }
  return candidates[0]!;
}

let cachedDefinition: protoLoader.PackageDefinition | null = null;
let cachedGrpc: ProtoGrpcType | null = null;

/** The package definition of all deeprelax services (for addService and reflection). Cached. */
export function packageDefinition(): protoLoader.PackageDefinition {
  if (!cachedDefinition) cachedDefinition = protoLoader.loadSync([...PROTO_FILES], LOADER_OPTIONS);
  return cachedDefinition;
}

/** grpc-js objects (client constructors, service definitions) typed by the generated stubs. */
export function protoGrpc(): ProtoGrpcType {
  if (!cachedGrpc) {
    cachedGrpc = grpc.loadPackageDefinition(packageDefinition()) as unknown as ProtoGrpcType;
  }
  return cachedGrpc;
}
