// Composition root of the coordinator: store, gRPC server (jobs + coordinator services, health,
// reflection, auth, TLS), Prometheus endpoint, and the Coordinator itself. Used by main.ts and by
// tests (gRPC and metrics on port 0 are fine).
import type { Server } from 'node:http';
import { createRpcServer, CRC32_IMPLEMENTATION, type FaultInjector } from '@deeprelax/rpc';
import { createLogger, type Logger } from '@deeprelax/runtime';
import { InMemoryRunStore, RedisRunStore, type RunStore } from '@deeprelax/store';
import { coordinatorConfig, type CoordinatorConfig, type CoordinatorConfigInput } from './config.js';
import { Coordinator } from './coordinator.js';
import { coordinatorServiceHandlers } from './coordinator-service.js';
import { DatasetCatalog } from './datasets.js';
import { jobServiceHandlers } from './jobs-service.js';
import { CoordinatorMetrics } from './metrics.js';

export interface StartOptions extends CoordinatorConfigInput {
  /** Use this store (not closed by close()); default: Redis from redisUrl, else in-memory. */
  store?: RunStore;
  /** Root logger (default: createLogger at logLevel). */
  logger?: Logger;
  /** Transport fault injection (tests). */
  faults?: FaultInjector | null;
  /** Collect the default process metrics (default true). */
  defaultMetrics?: boolean;
}

export interface CoordinatorHandle {
  /** "host:port" to dial (127.0.0.1 when bound to all interfaces). */
  address: string;
  port: number;
  /** Port of /metrics, or null when disabled. */
  metricsPort: number | null;
  config: CoordinatorConfig;
  coordinator: Coordinator;
  store: RunStore;
  metrics: CoordinatorMetrics;
  log: Logger;
  /** Graceful: stop accepting calls, checkpoint running jobs, close the store if we opened it. */
  close(): Promise<void>;
  /**
   * For tests: stop as a crash would, without the final checkpoints (running jobs stay RUNNING
   * in the store at their last periodic checkpoint); calls in flight are cancelled.
   */
  kill(): Promise<void>;
}

export async function startCoordinator(options: StartOptions = {}): Promise<CoordinatorHandle> {
  const { store: givenStore, logger, faults, defaultMetrics, ...input } = options;
  const config = coordinatorConfig(input);
  const log =
    logger ?? createLogger({ name: 'coordinator', level: config.logLevel, ...(config.logPretty !== null ? { pretty: config.logPretty } : {}) });
  let store: RunStore;
  let ownStore = false;
  if (givenStore) {
    store = givenStore;
  } else if (config.redisUrl) {
    store = await RedisRunStore.open({ url: config.redisUrl, prefix: config.redisPrefix });
    ownStore = true;
  } else {
    store = new InMemoryRunStore();
    ownStore = true;
    log.warn('DEEPRELAX_REDIS_URL is not set: using the in-memory run store (nothing survives a restart)');
  }
  const metrics = new CoordinatorMetrics(defaultMetrics ?? true);
  const coordinator = new Coordinator({ store, config, log, metrics, catalog: new DatasetCatalog(config.dataDir) });

  const server = createRpcServer({
    token: config.token,
    tls: config.tlsCert && config.tlsKey ? { certFile: config.tlsCert, keyFile: config.tlsKey } : null,
    faults: faults ?? null,
  });
  server.addJobService(jobServiceHandlers(coordinator));
  server.addCoordinatorService(coordinatorServiceHandlers(coordinator));

  let httpServer: Server | null = null;
  let metricsPort: number | null = null;
  try {
    await coordinator.start();
    if (config.metricsPort !== null) {
      const m = await metrics.serve(config.metricsHost, config.metricsPort);
      httpServer = m.server;
      metricsPort = m.port;
    }
    const host = config.grpcHost.includes(':') ? `[${config.grpcHost}]` : config.grpcHost;
    const port = await server.listen(`${host}:${config.grpcPort}`);
    const dialHost = config.grpcHost === '0.0.0.0' || config.grpcHost === '::' ? '127.0.0.1' : host;
    log.info(
      { port, metricsPort, store: config.redisUrl ? 'redis' : givenStore ? 'given' : 'memory', auth: Boolean(config.token), tls: Boolean(config.tlsCert), crc32: CRC32_IMPLEMENTATION, kernels: coordinator.arena.kernels },
      'coordinator listening',
    );
    let closing: Promise<void> | null = null;
    return {
      address: `${dialHost}:${port}`,
      port,
      metricsPort,
      config,
      coordinator,
      store,
      metrics,
      log,
      close() {
        if (!closing) {
          closing = (async () => {
            log.info('coordinator shutting down');
            server.setServing(false);
            await coordinator.close();
            await server.close(config.shutdownGraceMs);
            if (httpServer) await new Promise<void>((r) => httpServer!.close(() => r()));
            if (ownStore) await store.close();
            log.info('coordinator stopped');
          })();
        }
        return closing;
      },
      kill() {
        if (!closing) {
          closing = (async () => {
            log.warn('coordinator killed (test)');
            await coordinator.close({ checkpoint: false });
            await server.close(0);
            if (httpServer) await new Promise<void>((r) => httpServer!.close(() => r()));
            if (ownStore) await store.close();
          })();
        }
        return closing;
      },
    };
  } catch (err) {
    await coordinator.close().catch(() => {});
    await server.close(0).catch(() => {});
    if (httpServer) httpServer.close();
    if (ownStore) await store.close().catch(() => {});
    throw err;
  }
}
