// The worker's Prometheus metrics: one registry per worker (so several workers in one test
// process do not collide), and the /metrics HTTP endpoint on its own port.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class WorkerMetrics {
  readonly registry = new Registry();
  readonly steps: Counter<'job'>;
  readonly samples: Counter<'job'>;
  readonly stepsPerSecond: Gauge<'job'>;
  readonly samplesPerSecond: Gauge<'job'>;
  readonly trainLoss: Gauge<'job'>;
  readonly trainError: Gauge<'job'>;
  readonly round: Gauge<'job'>;
  readonly roundSeconds: Histogram<'job'>;
  readonly computeSeconds: Histogram<'job'>;
  readonly exchangeSeconds: Histogram<'kind'>;
  readonly exchangeBytes: Counter<'direction'>;
  readonly exchanges: Counter<'kind' | 'outcome'>;
  readonly reconnects: Counter<string>;
  readonly state: Gauge<'state'>;
  readonly jobs: Counter<'outcome'>;

  constructor(labels: Record<string, string> = {}, options: { processMetrics?: boolean } = {}) {
    this.registry.setDefaultLabels(labels);
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'deeprelax_worker_' });
    const r = [this.registry];
    this.steps = new Counter({ name: 'deeprelax_worker_steps_total', help: 'Inner steps (minibatch gradient evaluations) taken', labelNames: ['job'], registers: r });
    this.samples = new Counter({ name: 'deeprelax_worker_samples_total', help: 'Training samples processed', labelNames: ['job'], registers: r });
    this.stepsPerSecond = new Gauge({ name: 'deeprelax_worker_steps_per_second', help: 'Inner steps per second over the last round (compute and exchange)', labelNames: ['job'], registers: r });
    this.samplesPerSecond = new Gauge({ name: 'deeprelax_worker_samples_per_second', help: 'Training samples per second over the last round (compute and exchange)', labelNames: ['job'], registers: r });
    this.trainLoss = new Gauge({ name: 'deeprelax_worker_train_loss', help: 'Mean minibatch training loss of the last round', labelNames: ['job'], registers: r });
    this.trainError = new Gauge({ name: 'deeprelax_worker_train_error', help: 'Minibatch training error (fraction) of the last round', labelNames: ['job'], registers: r });
    this.round = new Gauge({ name: 'deeprelax_worker_round', help: 'Round the replica runs next', labelNames: ['job'], registers: r });
    const secs = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
    this.roundSeconds = new Histogram({ name: 'deeprelax_worker_round_seconds', help: 'Wall time of one round (inner steps and exchanges)', labelNames: ['job'], buckets: secs, registers: r });
    this.computeSeconds = new Histogram({ name: 'deeprelax_worker_compute_seconds', help: 'Compute time of one round (inner steps only)', labelNames: ['job'], buckets: secs, registers: r });
    this.exchangeSeconds = new Histogram({ name: 'deeprelax_worker_exchange_seconds', help: 'Latency of one parameter exchange, including the wait for the round to close', labelNames: ['kind'], buckets: secs, registers: r });
    this.exchangeBytes = new Counter({ name: 'deeprelax_worker_exchange_bytes_total', help: 'Tensor bytes exchanged with the coordinator', labelNames: ['direction'], registers: r });
    this.exchanges = new Counter({ name: 'deeprelax_worker_exchanges_total', help: 'Parameter exchanges by kind and outcome', labelNames: ['kind', 'outcome'], registers: r });
    this.reconnects = new Counter({ name: 'deeprelax_worker_registrations_total', help: 'Registrations with the coordinator (the first and every rejoin)', registers: r });
    this.state = new Gauge({ name: 'deeprelax_worker_state', help: '1 for the state the worker is in', labelNames: ['state'], registers: r });
    this.jobs = new Counter({ name: 'deeprelax_worker_assignments_total', help: 'Assignments ended, by outcome', labelNames: ['outcome'], registers: r });
  }

  setState(state: string): void {
    for (const s of ['idle', 'starting', 'training', 'leaving', 'disconnected']) this.state.set({ state: s }, s === state ? 1 : 0);
  }
}

export interface MetricsServer {
  port: number;
  close(): Promise<void>;
}

/** Serves GET /metrics (and /healthz) from the registry. */
export async function serveMetrics(registry: Registry, port: number, host: string): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const url = (req.url ?? '/').split('?')[0];
    if (url === '/metrics') {
      registry
        .metrics()
        .then((body) => {
          res.writeHead(200, { 'content-type': registry.contentType });
          res.end(body);
        })
        .catch((e: unknown) => {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(String(e));
        });
      return;
    }
    if (url === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok\n');
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found: try /metrics\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
