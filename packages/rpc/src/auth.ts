// Authentication and transport security: a bearer token checked by a server interceptor
// (constant-time comparison), the matching client credentials, and TLS credentials built from
// certificate and key files.
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';

export const AUTHORIZATION_HEADER = 'authorization';

/** Method paths that need no token by default: health checks (load balancers, probes). */
export const DEFAULT_AUTH_EXEMPT: readonly string[] = ['/grpc.health.v1.Health/'];

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

/** Constant-time comparison of a presented token with the expected one (lengths hidden too). */
export function tokensEqual(presented: string, expected: string): boolean {
  return timingSafeEqual(digest(presented), digest(expected));
}

/** The token of an `authorization: Bearer <token>` header, or null. */
export function bearerToken(metadata: grpc.Metadata): string | null {
  for (const v of metadata.get(AUTHORIZATION_HEADER)) {
    if (typeof v !== 'string') continue;
    const m = /^Bearer\s+(.+)$/i.exec(v.trim());
    if (m) return m[1]!;
  }
  return null;
}

export interface BearerAuthOptions {
  /** Method path prefixes that skip the check (default: the health service). */
  exempt?: readonly string[];
}

/**
 * A server interceptor that answers UNAUTHENTICATED to any call (other than exempt ones) whose
 * metadata lacks `authorization: Bearer <token>` with the expected token. The handler is never
 * invoked for such a call.
 */
export function bearerAuthInterceptor(token: string, options: BearerAuthOptions = {}): grpc.ServerInterceptor {
  if (!token) throw new Error('bearerAuthInterceptor: empty token');
  const exempt = options.exempt ?? DEFAULT_AUTH_EXEMPT;
  return (methodDescriptor, call) => {
    if (exempt.some((p) => methodDescriptor.path.startsWith(p))) return new grpc.ServerInterceptingCall(call);
    return new grpc.ServerInterceptingCall(call, {
      start: (next) => {
        next({
          onReceiveMetadata: (metadata, nextMd) => {
            const presented = bearerToken(metadata);
            if (presented === null) {
              call.sendStatus({ code: grpc.status.UNAUTHENTICATED, details: 'missing bearer token', metadata: new grpc.Metadata() });
            } else if (!tokensEqual(presented, token)) {
              call.sendStatus({ code: grpc.status.UNAUTHENTICATED, details: 'invalid bearer token', metadata: new grpc.Metadata() });
            } else {
              nextMd(metadata);
            }
          },
        });
      },
    });
  };
}

/** Call credentials adding the bearer token to every call (needs a secure channel). */
export function bearerCallCredentials(token: string): grpc.CallCredentials {
  return grpc.credentials.createFromMetadataGenerator((_params, callback) => {
    const md = new grpc.Metadata();
    md.set(AUTHORIZATION_HEADER, `Bearer ${token}`);
    callback(null, md);
  });
}

/**
 * A client interceptor adding the bearer token. grpc-js refuses call credentials on insecure
 * channels, so this is how a token travels without TLS (on a trusted network only).
 */
export function bearerClientInterceptor(token: string): grpc.Interceptor {
  return (options, nextCall) =>
    new grpc.InterceptingCall(nextCall(options), {
      start: (metadata, listener, next) => {
        metadata.set(AUTHORIZATION_HEADER, `Bearer ${token}`);
        next(metadata, listener);
      },
    });
}

/** TLS of a server: certificate chain and key, optionally a CA to verify client certificates. */
export interface ServerTlsConfig {
  certFile: string;
  keyFile: string;
  /** CA bundle for client certificates (mutual TLS). */
  caFile?: string | null;
  /** Require client certificates (needs caFile). */
  requireClientCert?: boolean;
}

/** TLS of a client: the CA that signed the server (default: system roots), optional client cert. */
export interface ClientTlsConfig {
  caFile?: string | null;
  certFile?: string | null;
  keyFile?: string | null;
  /** Expected server name when it differs from the address's host (e.g. "localhost"). */
  serverName?: string | null;
}

/** Server credentials: TLS from files when configured, else insecure. */
export function serverCredentials(tls: ServerTlsConfig | null | undefined): grpc.ServerCredentials {
  if (!tls) return grpc.ServerCredentials.createInsecure();
  const ca = tls.caFile ? readFileSync(tls.caFile) : null;
  return grpc.ServerCredentials.createSsl(
    ca,
    [{ cert_chain: readFileSync(tls.certFile), private_key: readFileSync(tls.keyFile) }],
    tls.requireClientCert ?? false,
  );
}

/**
 * Channel credentials: TLS from files when configured (with the token as call credentials),
 * else insecure (the token then goes through bearerClientInterceptor; see clientInterceptors).
 */
export function channelCredentials(
  tls: ClientTlsConfig | null | undefined,
  token?: string | null,
): grpc.ChannelCredentials {
  if (!tls) return grpc.credentials.createInsecure();
  const creds = grpc.credentials.createSsl(
    tls.caFile ? readFileSync(tls.caFile) : null,
    tls.keyFile ? readFileSync(tls.keyFile) : null,
    tls.certFile ? readFileSync(tls.certFile) : null,
  );
  return token ? grpc.credentials.combineChannelCredentials(creds, bearerCallCredentials(token)) : creds;
}
