// Prometheus metrics of the coordinator: one prom-client registry per coordinator instance, served
// on its own port at /metrics.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Float32Arena } from '@deeprelax/core';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export class CoordinatorMetrics {
  readonly registry = new Registry();
  readonly exchangeSeconds: Histogram<'kind' | 'algorithm' | 'outcome'>;
  readonly exchangeBytes: Counter<'direction' | 'kind'>;
  readonly exchangesRejected: Counter<'reason'>;
  readonly roundSeconds: Histogram<'algorithm'>;
  readonly roundsTotal: Counter<'algorithm'>;
  readonly roundContributors: Histogram<'algorithm'>;
  readonly liveWorkers: Gauge;
  readonly queueDepth: Gauge;
  readonly runningJobs: Gauge;
  readonly valLoss: Gauge<'job'>;
  readonly valError: Gauge<'job'>;
  readonly trainLoss: Gauge<'job'>;
  readonly evalSeconds: Histogram;
  readonly checkpointSeconds: Histogram;

  constructor(defaultMetrics = true) {
    const registers = [this.registry];
    if (defaultMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'deeprelax_coordinator_' });
    this.exchangeSeconds = new Histogram({
      name: 'deeprelax_coordinator_exchange_seconds',
      help: 'Time from receiving an exchange to replying (includes waiting for a synchronous round)',
      labelNames: ['kind', 'algorithm', 'outcome'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    this.exchangeBytes = new Counter({
      name: 'deeprelax_coordinator_exchange_bytes_total',
      help: 'Tensor bytes of exchanges, received (in) and sent (out)',
      labelNames: ['direction', 'kind'],
      registers,
    });
    this.exchangesRejected = new Counter({
      name: 'deeprelax_coordinator_exchanges_rejected_total',
      help: 'Exchanges rejected (x untouched), by reason',
      labelNames: ['reason'],
      registers,
    });
    this.roundSeconds = new Histogram({
      name: 'deeprelax_coordinator_round_seconds',
      help: 'Wall time of a synchronous round (previous reduction to this one) or between asynchronous updates',
      labelNames: ['algorithm'],
      buckets: [0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers,
    });
    this.roundsTotal = new Counter({
      name: 'deeprelax_coordinator_rounds_total',
      help: 'Rounds completed (synchronous) and updates applied (asynchronous)',
      labelNames: ['algorithm'],
      registers,
    });
    this.roundContributors = new Histogram({
      name: 'deeprelax_coordinator_round_contributors',
      help: 'Replicas reduced into a synchronous round',
      labelNames: ['algorithm'],
      buckets: [1, 2, 3, 4, 6, 8, 16, 32, 64],
      registers,
    });
    this.liveWorkers = new Gauge({ name: 'deeprelax_coordinator_live_workers', help: 'Workers with a live lease', registers });
    this.queueDepth = new Gauge({ name: 'deeprelax_coordinator_queue_depth', help: 'Jobs waiting in the queue', registers });
    this.runningJobs = new Gauge({ name: 'deeprelax_coordinator_running_jobs', help: 'Jobs this coordinator runs', registers });
    this.valLoss = new Gauge({ name: 'deeprelax_coordinator_val_loss', help: 'Validation loss of x', labelNames: ['job'], registers });
    this.valError = new Gauge({ name: 'deeprelax_coordinator_val_error', help: 'Validation error of x', labelNames: ['job'], registers });
    this.trainLoss = new Gauge({
      name: 'deeprelax_coordinator_train_loss',
      help: 'Mean training loss reported by the replicas',
      labelNames: ['job'],
      registers,
    });
    this.evalSeconds = new Histogram({
      name: 'deeprelax_coordinator_eval_seconds',
      help: 'Duration of an evaluation of x (BN refresh + validation pass)',
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 30, 60, 300],
      registers,
    });
    this.checkpointSeconds = new Histogram({
      name: 'deeprelax_coordinator_checkpoint_seconds',
      help: 'Duration of writing a checkpoint',
      buckets: [0.001, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
      registers,
    });
  }

  /**
   * Gauges read at scrape time from the exchange path's arena (slots in use, ordinary arrays
   * handed out because a segment was full or missing, stale gives ignored) and which kernels and
   * CRC-32 run.
   */
  watchExchangePath(arena: Float32Arena, crc32: string): void {
    const registers = [this.registry];
    new Gauge({
      name: 'deeprelax_coordinator_arena_slots_in_use',
      help: 'Vectors of the exchange path taken from the arena and not given back',
      registers,
      collect() {
        this.set(arena.stats().slotsInUse);
      },
    });
    new Gauge({
      name: 'deeprelax_coordinator_arena_fallbacks',
      help: 'Vectors handed out as ordinary arrays (segment full or too large): the TypeScript kernels run on them',
      registers,
      collect() {
        this.set(arena.stats().fallbacks);
      },
    });
    new Gauge({
      name: 'deeprelax_coordinator_arena_stale_gives',
      help: 'Vectors given back to the arena after their slot had been handed out again (ignored; non-zero means a bug)',
      registers,
      collect() {
        this.set(arena.stats().staleGives);
      },
    });
    new Gauge({
      name: 'deeprelax_coordinator_exchange_path_info',
      help: 'Which centre kernels and which CRC-32 implementation this coordinator runs',
      labelNames: ['kernels', 'crc32'],
      registers,
    }).set({ kernels: arena.kernels, crc32 }, 1);
  }

  /** Serves GET /metrics (and /healthz) on host:port; resolves with the bound port. */
  async serve(host: string, port: number): Promise<{ server: Server; port: number }> {
    const server = createServer((req, res) => {
      const url = (req.url ?? '/').split('?')[0];
      if (req.method === 'GET' && url === '/metrics') {
        this.registry.metrics().then(
          (body) => {
            res.writeHead(200, { 'content-type': this.registry.contentType });
            res.end(body);
          },
          (err: unknown) => {
            res.writeHead(500, { 'content-type': 'text/plain' });
            res.end(String(err));
          },
        );
        return;
      }
      if (req.method === 'GET' && url === '/healthz') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('ok\n');
        return;
      }
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found; try /metrics\n');
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return { server, port: (server.address() as AddressInfo).port };
  }
}
