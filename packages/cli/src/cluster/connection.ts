// Where the client commands connect: --coordinator / --token (global flags), else
// DEEPRELAX_COORDINATOR / DEEPRELAX_TOKEN, else 127.0.0.1:50051 without a token. TLS with --tls /
// --tls-ca (or DEEPRELAX_TLS_CA).
import { JobsClient, RpcError, type ClientTlsConfig } from '@deeprelax/rpc';
import { UsageError } from '../train/config.js';

export interface ConnectionFlags {
  coordinator?: string;
  token?: string;
  tls?: boolean;
  tlsCa?: string;
}

export interface Connection {
  address: string;
  token: string | null;
  tls: ClientTlsConfig | null;
}

export const DEFAULT_COORDINATOR = '127.0.0.1:50051';

export function resolveConnection(flags: ConnectionFlags, env: NodeJS.ProcessEnv = process.env): Connection {
  const address = (flags.coordinator ?? env.DEEPRELAX_COORDINATOR ?? DEFAULT_COORDINATOR).trim();
  if (!/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9_.-]+):\d{1,5}$/.test(address)) {
    throw new UsageError(`--coordinator "${address}": expected host:port, e.g. 127.0.0.1:50051`);
  }
  const token = flags.token ?? env.DEEPRELAX_TOKEN ?? null;
  const ca = flags.tlsCa ?? env.DEEPRELAX_TLS_CA;
  const tls = flags.tls || ca ? { ...(ca ? { caFile: ca } : {}) } : null;
  return { address, token: token && token.length > 0 ? token : null, tls };
}

export function jobsClient(c: Connection): JobsClient {
  return new JobsClient(c.address, { token: c.token, tls: c.tls });
}

/** Exit status of a command that failed on an RPC: usage-like errors 2, anything else 1. */
export function exitCodeOf(err: RpcError): number {
  return err.codeName === 'INVALID_ARGUMENT' ? 2 : 1;
}

/** One line for a failed call: "NOT_FOUND: job j-12 not found" (+ a hint for the usual causes). */
export function describeRpcError(err: RpcError, address?: string): string {
  const field = err.field && !err.message.startsWith(err.field) ? ` (${err.field})` : '';
  let hint = '';
  if (err.codeName === 'UNAVAILABLE' && address) hint = ` (is a coordinator running at ${address}? start one with \`deeprelax up\`)`;
  if (err.codeName === 'UNAUTHENTICATED') hint = ' (pass --token or set DEEPRELAX_TOKEN)';
  if (err.codeName === 'DEADLINE_EXCEEDED' && address) hint = ` (no answer from ${address} in time)`;
  let msg = err.message.split('\n')[0]!;
  if (err.codeName === 'UNAVAILABLE') {
    // grpc-js: "No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:1. Resolution note: "
    const m = /Last error: (?:Error: )?(.*?)\.?\s*(?:Resolution note:.*)?$/.exec(msg);
    if (m) msg = `cannot connect (${m[1]})`;
  }
  return `${err.codeName}: ${msg}${field}${hint}`;
}
