// `deeprelax up`: a local cluster (coordinator + N workers as child processes, embedded store or
// Redis) that runs until Ctrl-C; and `deeprelax cluster-run`: the one-shot version that starts a
// cluster, submits a job (Parle on MNIST with 2 workers unless told otherwise), watches it to the
// end, prints x's validation error, writes the curves and tears the cluster down.
import { join, resolve } from 'node:path';
import { Command, Option } from 'commander';
import { JobsClient, type JobSpec } from '@deeprelax/rpc';
import { CliError, rpc } from '../cluster/errors.js';
import { buildJobSpec } from '../cluster/jobspec.js';
import { LocalCluster, type LocalClusterOptions } from '../cluster/local.js';
import { writeJobPlots } from '../cluster/plot.js';
import { watchJob } from '../cluster/watch.js';
import { addJobOptions, pickJobFlags, reportOutcome } from './jobs.js';

interface ClusterFlags {
  workers: string;
  redis?: string;
  redisPrefix?: string;
  host: string;
  port?: string;
  engine?: string;
  threads?: string;
  checkpointDir?: string;
  logDir?: string;
  metricsPort?: string;
  metrics: boolean;
  logLevel: string;
  token?: string;
}

function addClusterOptions(cmd: Command, defaults: { workers: string | null; port?: string }): Command {
  if (defaults.workers !== null) cmd.option('--workers <n>', 'worker processes to start', defaults.workers);
  return cmd
    .option('--redis <url>', 'keep run metadata in this Redis (e.g. redis://127.0.0.1:6379) instead of the embedded in-memory store')
    .option('--redis-prefix <prefix>', 'key prefix in Redis (default deeprelax:)')
    .option('--host <host>', 'interface the coordinator listens on', '127.0.0.1')
    .option('--port <n>', `coordinator gRPC port${defaults.port ? ` (default ${defaults.port})` : ' (default: a free one)'}`, defaults.port)
    .addOption(new Option('--cluster-engine <name>', 'engine of the workers and of the coordinator\'s evaluation').choices(['auto', 'torch', 'tfjs']))
    .option('--threads <n>', 'torch threads per worker', '1')
    .option('--checkpoint-dir <dir>', 'checkpoints of x')
    .option('--log-dir <dir>', "the services' log files")
    .option('--metrics-port <n>', 'Prometheus port of the coordinator; workers get the next ones', '9464')
    .option('--no-metrics', 'no /metrics endpoints')
    .option('--log-level <level>', "services' log level", 'info');
}

function clusterOptions(o: ClusterFlags & { clusterEngine?: string }, dirs: { checkpoints: string; logs: string }, token: string | null): LocalClusterOptions {
  const workers = Number(o.workers);
  if (!Number.isInteger(workers) || workers < 0) throw new CliError(`--workers "${o.workers}": expected an integer >= 0`, 2);
  const port = o.port === undefined ? 0 : Number(o.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`--port "${o.port}": expected a port number`, 2);
  const threads = Number(o.threads ?? '1');
  if (!Number.isInteger(threads) || threads < 1) throw new CliError(`--threads "${o.threads}": expected an integer >= 1`, 2);
  const mp = Number(o.metricsPort);
  if (o.metrics && (!Number.isInteger(mp) || mp < 0 || mp > 65535)) throw new CliError(`--metrics-port "${o.metricsPort}": expected a port number`, 2);
  if (o.redis !== undefined && !/^rediss?:\/\//.test(o.redis)) throw new CliError(`--redis "${o.redis}": expected a URL like redis://127.0.0.1:6379`, 2);
  return {
    workers,
    redisUrl: o.redis ?? null,
    ...(o.redisPrefix ? { redisPrefix: o.redisPrefix } : {}),
    host: o.host,
    port,
    token,
    engine: o.clusterEngine ?? 'auto',
    threads,
    checkpointDir: resolve(o.checkpointDir ?? dirs.checkpoints),
    logDir: resolve(o.logDir ?? dirs.logs),
    metricsPort: o.metrics ? mp : null,
    logLevel: o.logLevel,
  };
}

function describeCluster(c: LocalCluster): string {
  const o = c.options;
  return (
    `cluster up: coordinator ${c.address} (${o.redisUrl ? `Redis ${o.redisUrl}` : 'embedded in-memory store'}), ${c.workers.length} worker(s)\n` +
    `  logs: ${o.logDir}\n  checkpoints: ${o.checkpointDir}\n` +
    (o.metricsPort !== null && o.metricsPort !== undefined ? `  metrics: http://127.0.0.1:${o.metricsPort}/metrics (workers on the next ports)\n` : '')
  );
}

/** Length of cluster-run's job when neither --epochs nor a job file says. */
export const DEFAULT_DEMO_EPOCHS = 0.2;

function stamp(): string {
  return new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
}

export function upCommand(): Command {
  return addClusterOptions(new Command('up').description('start a local cluster: a coordinator and N workers as child processes, until Ctrl-C'), {
    workers: '2',
    port: '50051',
  })
    .option('--submit <job-file>', 'submit this job file once the cluster is up and watch it')
    .option('--exit', 'with --submit: stop the cluster when the job ends')
    .action(async (opts: ClusterFlags & { submit?: string; exit?: boolean; clusterEngine?: string }, cmd: Command) => {
      const g = cmd.optsWithGlobals() as { token?: string };
      const token = g.token ?? process.env.DEEPRELAX_TOKEN ?? null;
      const base = resolve('runs', 'up');
      const spec: JobSpec | null = opts.submit ? buildJobSpec({ file: opts.submit }) : null;
      const cluster = await LocalCluster.start(clusterOptions(opts, { checkpoints: join(base, 'checkpoints'), logs: join(base, 'logs') }, token));
      process.stderr.write(describeCluster(cluster));
      let stopping = false;
      const stop = async (code: number) => {
        if (stopping) return;
        stopping = true;
        process.stderr.write('stopping the cluster...\n');
        await cluster.stop();
        process.exit(code);
      };
      process.on('SIGINT', () => void stop(130));
      process.on('SIGTERM', () => void stop(143));
      if (spec) {
        const client = new JobsClient(cluster.address, { token });
        const code = await rpc(cluster.address, async () => {
          const job = await client.submitJob(spec);
          process.stdout.write(`submitted ${job.id}\n`);
          return reportOutcome(await watchJob(client, job.id));
        });
        client.close();
        if (opts.exit) return stop(code);
      }
      process.stderr.write(`press Ctrl-C to stop; point the CLI at it with --coordinator ${cluster.address}\n`);
      // Stay up until a signal (or the coordinator dies).
      const code = await cluster.coordinator!.exited;
      if (!stopping) {
        process.stderr.write(`deeprelax: the coordinator exited (${code}); see ${cluster.coordinator!.logFile}\n`);
        await stop(1);
      }
    });
}

export function clusterRunCommand(): Command {
  const cmd = addJobOptions(
    new Command('cluster-run').description(
      'one shot: start a local cluster, submit a job (default: Parle, mnistfc on MNIST, 2 workers, 0.2 epochs = 5 effective epochs), watch it to the end, print the validation error of x, write the plot, stop',
    ),
    { algo: 'parle', model: 'mnistfc' },
  );
  return addClusterOptions(cmd, { workers: null })
    .option('-o, --out <dir>', 'output folder: curves, metrics, weights, logs (default runs/cluster-<time>)')
    .addOption(new Option('--plot-format <f>', 'plot format').choices(['svg', 'png']).default('svg'))
    .option('--no-tty', 'plain log lines even on a terminal')
    .action(async (opts: Record<string, unknown> & ClusterFlags & { out?: string; plotFormat: 'svg' | 'png'; tty: boolean; clusterEngine?: string }, cmd: Command) => {
      const g = cmd.optsWithGlobals() as { token?: string };
      const token = g.token ?? process.env.DEEPRELAX_TOKEN ?? null;
      const flags = pickJobFlags(opts);
      if (!flags.file) {
        flags.algo ??= 'parle';
        flags.model ??= 'mnistfc';
        flags.dataset ??= flags.dataPath ? undefined : 'mnist';
      }
      if (!flags.workers && !flags.minWorkers && !flags.maxWorkers && !flags.file) flags.workers = opts.workers || '2';
      if (!flags.file) {
        // A demo-sized default: 0.2 Parle epochs (= 5 effective epochs at L = 25, a few minutes on
        // 2 cores), evaluated 10 times so that the plot has curves.
        flags.epochs ??= String(DEFAULT_DEMO_EPOCHS);
        flags.evalEvery ??= `${Number(flags.epochs) / 10}e`;
      }
      const spec = buildJobSpec(flags);
      const nWorkers = opts.workers ? Number(opts.workers) : Math.max(spec.maxWorkers ?? 0, spec.minWorkers ?? 0, 1);
      const out = resolve(opts.out ?? join('runs', `cluster-${stamp()}`));
      const cluster = await LocalCluster.start(
        clusterOptions({ ...opts, workers: String(nWorkers) }, { checkpoints: join(out, 'checkpoints'), logs: join(out, 'logs') }, token),
      );
      let interrupted = false;
      const onSig = () => {
        if (interrupted) process.exit(130);
        interrupted = true;
        process.stderr.write('interrupted: stopping the cluster (Ctrl-C again to quit now)\n');
        void cluster.stop().then(() => process.exit(130));
      };
      process.on('SIGINT', onSig);
      process.on('SIGTERM', onSig);
      const client = new JobsClient(cluster.address, { token });
      try {
        process.stderr.write(describeCluster(cluster));
        const code = await rpc(cluster.address, async () => {
          const job = await client.submitJob(spec);
          process.stdout.write(`submitted ${job.id}: ${job.spec?.model} ${(job.spec?.algorithm ?? '').replace('ALGORITHM_', '').toLowerCase()}, ${job.spec?.epochs} epochs, ${job.spec?.maxWorkers} workers\n`);
          const r = await watchJob(client, job.id, opts.tty ? {} : { tty: false });
          const c = reportOutcome(r);
          const files = await writeJobPlots(out, job.id, `${job.spec?.model} · ${(job.spec?.algorithm ?? '').replace('ALGORITHM_', '').toLowerCase()} · ${job.spec?.maxWorkers} workers`, r.metrics, opts.plotFormat);
          process.stdout.write(`plot: ${files.plots.join(', ')}\nmetrics: ${files.metrics}\n`);
          if (c === 0) {
            try {
              const w = await client.fetchWeights({ jobId: job.id });
              const x = w.tensors.find((t) => t.name === 'x');
              if (x) {
                const { writeFileSync } = await import('node:fs');
                const p = join(out, `${job.id}-weights.f32`);
                writeFileSync(p, new Uint8Array(x.values.buffer, x.values.byteOffset, x.values.byteLength));
                process.stdout.write(`weights: ${p}\n`);
              }
            } catch {
              /* weights are a bonus here */
            }
          }
          return c;
        });
        process.exitCode = code;
      } finally {
        client.close();
        process.off('SIGINT', onSig);
        process.off('SIGTERM', onSig);
        await cluster.stop();
      }
    });
}
