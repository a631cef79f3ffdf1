// gRPC health checking (grpc.health.v1.Health, via grpc-health-check) on the server, and a small
// client to probe it (CLI, compose health checks, tests).
import { dirname, resolve } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { HealthImplementation, protoPath as healthProtoPath } from 'grpc-health-check';
import { toRpcError } from './errors.js';
import { LOADER_OPTIONS } from './loader.js';
import { DEFAULT_DEADLINES, deadlineIn } from './options.js';

export { HealthImplementation };
export type ServingStatus = 'UNKNOWN' | 'SERVING' | 'NOT_SERVING' | 'SERVICE_UNKNOWN';

export const HEALTH_SERVICE_NAME = 'grpc.health.v1.Health';

let healthDef: protoLoader.PackageDefinition | null = null;

/** The health service's package definition (for reflection and the probe client). */
export function healthPackageDefinition(): protoLoader.PackageDefinition {
  if (!healthDef) {
    const root = resolve(dirname(healthProtoPath), '../..');
    healthDef = protoLoader.loadSync('health/v1/health.proto', { ...LOADER_OPTIONS, includeDirs: [root] });
  }
  return healthDef;
}

interface HealthClient extends grpc.Client {
  Check(
    request: { service: string },
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: (err: grpc.ServiceError | null, res?: { status: ServingStatus }) => void,
  ): grpc.ClientUnaryCall;
}

/**
 * Asks a server's health service for the status of `service` ('' = the whole server). Rejects
 * with an RpcError (NOT_FOUND for an unknown service, UNAVAILABLE when nothing answers).
 */
export async function checkHealth(
  address: string,
  options: {
    service?: string;
    credentials?: grpc.ChannelCredentials;
    deadlineMs?: number;
    channelOptions?: grpc.ChannelOptions;
  } = {},
): Promise<ServingStatus> {
  const pkg = grpc.loadPackageDefinition(healthPackageDefinition()) as unknown as {
    grpc: { health: { v1: { Health: new (address: string, creds: grpc.ChannelCredentials, options?: grpc.ChannelOptions) => HealthClient } } };
  };
  const client = new pkg.grpc.health.v1.Health(
    address,
    options.credentials ?? grpc.credentials.createInsecure(),
    options.channelOptions ?? {},
  );
  try {
    return await new Promise<ServingStatus>((resolvePromise, reject) => {
      client.Check(
        { service: options.service ?? '' },
        new grpc.Metadata(),
        { deadline: deadlineIn(options.deadlineMs ?? DEFAULT_DEADLINES.unary) },
        (err, res) => (err ? reject(toRpcError(err)) : resolvePromise(res!.status)),
      );
    });
  } finally {
    client.close();
  }
}
