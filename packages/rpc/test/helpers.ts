// Test helpers: servers on loopback port 0 with the real transport.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import {
  createRpcServer,
  exchangeHandler,
  unary,
  type CoordinatorServiceHandlers,
  type JobServiceHandlers,
  type RpcServer,
  type RpcServerOptions,
  type ExchangeHandlerOptions,
} from '@deeprelax/rpc';

export interface Started {
  server: RpcServer;
  address: string;
  close(): Promise<void>;
}

/** Starts a server with the given (partial) implementations on 127.0.0.1:0. */
export async function startServer(
  impls: { jobs?: Partial<JobServiceHandlers>; coordinator?: Partial<CoordinatorServiceHandlers> },
  options: RpcServerOptions = {},
): Promise<Started> {
  const server = createRpcServer(options);
  if (impls.jobs) server.addJobService(impls.jobs as JobServiceHandlers);
  if (impls.coordinator) server.addCoordinatorService(impls.coordinator as CoordinatorServiceHandlers);
  const port = await server.listen('127.0.0.1:0');
  return { server, address: `127.0.0.1:${port}`, close: () => server.close(1000) };
}

/** A coordinator whose Exchange echoes the tensors back (round + 1). */
export function echoCoordinator(options: ExchangeHandlerOptions = {}): Partial<CoordinatorServiceHandlers> {
  return {
    Exchange: exchangeHandler(
      async (ctx) => ({
        reply: { jobId: ctx.header.jobId, round: ctx.header.round + 1, phase: ctx.header.phase, contributors: 1 },
        tensors: ctx.tensors,
      }),
      options,
    ),
    Register: unary(async (req) => ({ workerId: req.workerId || 'w-1', lease: { fencingToken: 1, ttlMs: 10_000 } })),
  };
}

/** Random float32 values with some special ones (signed zeros, subnormals, extremes). */
export function testVector(n: number, seed = 1): Float32Array {
  const v = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    v[i] = ((s / 2 ** 32) * 2 - 1) * 3;
  }
  const specials = [0, -0, 1.4e-45, -1.4e-45, 1.17549435e-38, 3.4028235e38, -3.4028235e38, 1e-20, 65504, 1];
  specials.forEach((x, i) => {
    if (i < n) v[i] = x;
  });
  return v;
}

export function bitsEqual(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  return Buffer.compare(
    Buffer.from(a.buffer, a.byteOffset, a.byteLength),
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  ) === 0;
}

export { grpc };

/** Whether an `openssl` binary is on the PATH (the TLS tests make their certificate with it). */
export function haveOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Writes a one-day self-signed certificate for localhost / 127.0.0.1 and its key into `dir`. */
export function selfSignedCert(dir: string): { cert: string; key: string } {
  const cert = join(dir, 'server.crt');
  const key = join(dir, 'server.key');
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', key, '-out', cert],
    { stdio: 'ignore' },
  );
  return { cert, key };
}
