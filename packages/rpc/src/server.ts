// The deeprelax gRPC server: one grpc-js Server with the interceptors (bearer token, fault
// injection), TLS when configured, health checking and server reflection, and typed registration
// of the two services.
import * as grpc from '@grpc/grpc-js';
import { ReflectionService } from '@grpc/reflection';
import type { CoordinatorServiceHandlers } from './generated/deeprelax/v1/CoordinatorService.js';
import type { JobServiceHandlers } from './generated/deeprelax/v1/JobService.js';
import { bearerAuthInterceptor, DEFAULT_AUTH_EXEMPT, serverCredentials, type ServerTlsConfig } from './auth.js';
import type { FaultInjector } from './faults.js';
import { HealthImplementation, healthPackageDefinition } from './health.js';
import { packageDefinition, protoGrpc, SERVICE_NAMES } from './loader.js';
import { FLOW_CONTROL_WINDOW, serverOptions } from './options.js';
import { withScratchResponses } from './scratch-serialize.js';

export interface RpcServerOptions {
  /** Require `authorization: Bearer <token>` on every call except the exempt ones. */
  token?: string | null;
  /** Method path prefixes that need no token (default: the health service). */
  authExempt?: readonly string[];
  /** Serve TLS with these files; insecure when absent. */
  tls?: ServerTlsConfig | null;
  /** Fault injection for tests. */
  faults?: FaultInjector | null;
  /** Serve grpc.reflection (default true). */
  reflection?: boolean;
  /** More interceptors, after auth and faults. */
  interceptors?: grpc.ServerInterceptor[];
  /** Overrides of the server's channel options. */
  options?: grpc.ServerOptions;
}

export class RpcServer {
  readonly server: grpc.Server;
  readonly health = new HealthImplementation({ '': 'NOT_SERVING' });
  private readonly services: string[] = [];
  private readonly tls: ServerTlsConfig | null;
  private readonly reflection: boolean;
  private boundPort: number | null = null;
  private reflectionAdded = false;

  constructor(options: RpcServerOptions = {}) {
    const interceptors: grpc.ServerInterceptor[] = [];
    if (options.token) {
      interceptors.push(bearerAuthInterceptor(options.token, { exempt: options.authExempt ?? DEFAULT_AUTH_EXEMPT }));
    }
    if (options.faults) interceptors.push(options.faults.serverInterceptor());
    interceptors.push(...(options.interceptors ?? []));
    this.server = new grpc.Server({ ...serverOptions(options.options), interceptors });
    raiseServerFlowControlWindow(this.server, FLOW_CONTROL_WINDOW);
    this.tls = options.tls ?? null;
    this.reflection = options.reflection ?? true;
    this.health.addToServer(this.server);
  }

  /** Registers the jobs service (typed by the generated handlers interface). */
  addJobService(impl: JobServiceHandlers): this {
    this.server.addService(withScratchResponses(protoGrpc().deeprelax.v1.JobService.service), impl);
    this.services.push(SERVICE_NAMES.jobs);
    this.health.setStatus(SERVICE_NAMES.jobs, 'NOT_SERVING');
    return this;
  }

  /** Registers the coordinator service. */
  addCoordinatorService(impl: CoordinatorServiceHandlers): this {
    this.server.addService(withScratchResponses(protoGrpc().deeprelax.v1.CoordinatorService.service), impl);
    this.services.push(SERVICE_NAMES.coordinator);
    this.health.setStatus(SERVICE_NAMES.coordinator, 'NOT_SERVING');
    return this;
  }

  /** Registers any other service. */
  addService(name: string, definition: grpc.ServiceDefinition, impl: grpc.UntypedServiceImplementation): this {
    this.server.addService(definition, impl);
    this.services.push(name);
    return this;
  }

  /**
   * Binds (port 0 picks a free port), adds reflection, marks the server and its services
   * SERVING, and returns the bound port.
   */
  async listen(address = '127.0.0.1:0'): Promise<number> {
    if (this.reflection && !this.reflectionAdded) {
      this.reflectionAdded = true;
      new ReflectionService({ ...packageDefinition(), ...healthPackageDefinition() }).addToServer(this.server);
    }
    const port = await new Promise<number>((resolve, reject) => {
      this.server.bindAsync(address, serverCredentials(this.tls), (err, p) => (err ? reject(err) : resolve(p)));
    });
    this.boundPort = port;
    this.setServing(true);
    return port;
  }

  /** The bound port (after listen). */
  get port(): number {
    if (this.boundPort === null) throw new Error('RpcServer: not listening');
    return this.boundPort;
  }

  /** Sets the health status of the server and of each registered service. */
  setServing(serving: boolean): void {
    const s = serving ? 'SERVING' : 'NOT_SERVING';
    this.health.setStatus('', s);
    for (const name of this.services) this.health.setStatus(name, s);
  }

  /**
   * Marks NOT_SERVING, lets calls in flight finish for up to `graceMs`, then cancels the rest.
   */
  async close(graceMs = 5_000): Promise<void> {
    this.setServing(false);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.server.forceShutdown();
        resolve();
      }, graceMs);
      timer.unref();
      this.server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

interface Http2SessionLike {
  setLocalWindowSize?(size: number): void;
  once(event: string, l: () => void): unknown;
  connecting?: boolean;
}

interface Http2ServerLike {
  on(event: 'session', l: (session: Http2SessionLike) => void): unknown;
}

/**
 * grpc-js's server leaves HTTP/2 flow control at Node's defaults (64 KiB per stream and per
 * connection), so a client uploading a 7.5 MB tensor stalls every 64 KiB waiting for WINDOW_UPDATEs.
 * grpc-js exposes no server option for it (its client has 'grpc-node.flow_control_window'), so
 * this raises both windows the way grpc-js's client does: SETTINGS_INITIAL_WINDOW_SIZE (stream
 * windows) in the server's settings, and the connection window of every new session. Flow
 * control only; nothing about the messages or their limits changes. A no-op if grpc-js's
 * internals differ from what is expected.
 */
function raiseServerFlowControlWindow(server: grpc.Server, window: number): void {
  const internals = server as unknown as {
    commonServerOptions?: { settings?: Record<string, unknown> };
    createHttp2Server?: (...args: unknown[]) => unknown;
  };
  const common = internals.commonServerOptions;
  const create = internals.createHttp2Server;
  if (!common || typeof create !== 'function') return;
  common.settings = { ...(common.settings ?? {}), initialWindowSize: window };
  internals.createHttp2Server = function (this: unknown, ...args: unknown[]) {
    const h2 = create.apply(this, args) as Http2ServerLike | null;
    h2?.on('session', (session) => {
      const raise = () => {
        try {
          session.setLocalWindowSize?.(window);
        } catch {
          // The session closed meanwhile.
        }
      };
      if (session.connecting) session.once('connect', raise);
      else raise();
    });
    return h2;
  };
}

/** A server with the deeprelax defaults; see RpcServerOptions. */
export function createRpcServer(options: RpcServerOptions = {}): RpcServer {
  return new RpcServer(options);
}
