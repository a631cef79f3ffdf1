// Client commands of a running cluster: submit, jobs, status, watch, cancel, workers, weights.
// Each connects to --coordinator (or DEEPRELAX_COORDINATOR) with --token (or DEEPRELAX_TOKEN),
// prints one line for a failed call ("deeprelax: NOT_FOUND: ...") and exits non-zero.
import { writeFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { JOB_ALGORITHM_NAMES, jobStateFromName, jobStateName, type JobState, type Job__Output, type JobsClient } from '@deeprelax/rpc';
import { modelNames } from '@deeprelax/models';
import { jobsClient, resolveConnection, type Connection, type ConnectionFlags } from '../cluster/connection.js';
import { CliError, rpc } from '../cluster/errors.js';
import { jobDetails, jobsTable, pct, latest, readable, workersTable } from '../cluster/format.js';
import { buildJobSpec, type JobFlags } from '../cluster/jobspec.js';
import { writeJobPlots } from '../cluster/plot.js';
import { watchJob, type WatchResult } from '../cluster/watch.js';

/** Exit status of `watch` (and of commands that wait for a job) by the job's final state. */
export const JOB_EXIT_CODES = { succeeded: 0, failed: 3, cancelled: 4 } as const;

function globals(cmd: Command): ConnectionFlags & Record<string, unknown> {
  return cmd.optsWithGlobals() as ConnectionFlags & Record<string, unknown>;
}

async function withClient<T>(cmd: Command, f: (client: JobsClient, conn: Connection) => Promise<T>): Promise<T> {
  const conn = resolveConnection(globals(cmd));
  const client = jobsClient(conn);
  try {
    return await rpc(conn.address, () => f(client, conn));
  } finally {
    client.close();
  }
}

/** Adds the job-spec flags of `submit` (also used by `cluster-run`). */
export function addJobOptions(cmd: Command, defaults: { algo?: string; model?: string } = {}): Command {
  return cmd
    .option('-f, --file <path>', 'job file (JSON or YAML); flags override its fields')
    .option('--name <label>', 'label shown in listings')
    .option('-m, --model <name>', `model: ${modelNames().join(', ')}${defaults.model ? ` (default ${defaults.model})` : ''}`)
    .addOption(new Option('-a, --algo <name>', `algorithm${defaults.algo ? ` (default ${defaults.algo})` : ''}`).choices(JOB_ALGORITHM_NAMES as string[]))
    .option('-d, --dataset <name>', 'dataset by name: mnist, cifar10, synthetic (default mnist)')
    .option('--data-path <path>', "dataset folder on the workers' file system (IDX or CIFAR-10 binary)")
    .option('--train-limit <n>', 'use only the first n training samples')
    .option('--val-limit <n>', 'use only the first n validation samples')
    .option('-e, --epochs <n>', 'epochs of data per replica')
    .option('-s, --seed <n>', 'seed of the job (replica i uses (seed, i))')
    .option('-w, --workers <n>', 'replicas: sets --min-workers and --max-workers')
    .option('--min-workers <n>', 'the job starts with this many workers')
    .option('--max-workers <n>', 'at most this many replicas')
    .addOption(new Option('--engine <name>', 'compute engine of the workers').choices(['auto', 'torch', 'tfjs']))
    .option('--lr <lr>', 'constant (outer) learning rate')
    .option('--lr-schedule <spec>', 'learning-rate schedule: "2:1.0,15:0.1" (last epoch:lr), "step:0.1:0.1:1", or a number')
    .option('--inner-lr <spec>', "inner (SGLD) learning rate η', number or schedule")
    .option('-L, --L <n>', 'inner steps per round')
    .option('--gamma <sched>', 'local-entropy coupling c_γ: number, "exp:g0:g1", "capped:g0:rate:cap", "var:gamma0:decay"')
    .option('--rho <sched>', "Parle's elastic coupling c_ρ (same forms as --gamma)")
    .option('--noise <eps>', 'Langevin noise ε')
    .option('--momentum <mu>', 'momentum (EAMSGD: δ)')
    .option('--nesterov', 'Nesterov momentum')
    .option('--no-nesterov', 'classical momentum')
    .option('--weight-decay <lambda>', 'L2 weight decay λ')
    .option('-b, --batch-size <n>', 'minibatch size')
    .option('--tau <n>', 'EASGD communication period τ')
    .option('--alpha <a>', 'EASGD moving rate α')
    .option('--beta1 <b>', 'EMA weight on the old running mean of the inner iterates')
    .option('--inner-momentum <mu>', 'inner-loop momentum')
    .option('--reset-inner', 'restart the inner variable from its anchor every round')
    .option('--no-reset-inner', 'keep the inner variable across rounds')
    .addOption(new Option('--outer-base <base>', "Parle's outer step base").choices(['x', 'inner']))
    .addOption(new Option('--noise-scaling <s>', 'Langevin temperature convention').choices(['code', 'paper']))
    .addOption(new Option('--centre-lr-scaling <s>', "DESGD's centre step").choices(['coupling', 'none']))
    .option('--eval-every <interval>', 'evaluate x every "1" / "1e" epochs, "50r" rounds or "30s"')
    .option('--checkpoint-every <interval>', 'checkpoint every epochs/rounds/seconds (same forms)')
    .option('--round-deadline-ms <ms>', 'synchronous round deadline')
    .addOption(new Option('--dtype <dtype>', 'wire dtype of exchanges').choices(['float32', 'float16', 'bfloat16']));
}

const JOB_FLAG_KEYS: (keyof JobFlags)[] = [
  'file', 'name', 'model', 'dataset', 'dataPath', 'trainLimit', 'valLimit', 'algo', 'epochs', 'seed', 'workers', 'minWorkers',
  'maxWorkers', 'engine', 'lr', 'lrSchedule', 'innerLr', 'L', 'gamma', 'rho', 'noise', 'momentum', 'nesterov', 'weightDecay',
  'batchSize', 'tau', 'alpha', 'beta1', 'innerMomentum', 'resetInner', 'outerBase', 'noiseScaling', 'centreLrScaling',
  'evalEvery', 'checkpointEvery', 'roundDeadlineMs', 'dtype',
];

export function pickJobFlags(opts: Record<string, unknown>): JobFlags {
  const f: Record<string, unknown> = {};
  for (const k of JOB_FLAG_KEYS) if (opts[k] !== undefined) f[k] = opts[k];
  return f as JobFlags;
}

function summaryLine(j: Job__Output): string {
  const s = j.spec;
  return `${j.id} ${jobStateName(j.state)}: ${s?.model ?? '?'} ${(s?.algorithm ?? '').replace('ALGORITHM_', '').toLowerCase()} on ${s?.dataset?.name || s?.dataset?.path || '?'}, ${s?.epochs} epochs, ${s?.minWorkers}-${s?.maxWorkers} workers, seed ${s?.seed ?? '-'}`;
}

/** Prints the outcome of a watched job and returns the exit status for it. */
export function reportOutcome(r: WatchResult, out: NodeJS.WritableStream = process.stdout): number {
  const j = r.job;
  const name = jobStateName(j.state) ?? '?';
  const ve = latest(j, 'val_error');
  const p = j.progress;
  if (name === 'succeeded') {
    out.write(
      `job ${j.id} succeeded: validation error of x ${pct(ve?.value)}` +
        (p ? ` after ${p.epoch.toFixed(2)} epochs (${p.effectiveEpoch.toFixed(2)} effective), ${(Number(p.wallMs) / 1000).toFixed(1)} s` : '') +
        '\n',
    );
    return JOB_EXIT_CODES.succeeded;
  }
  const err = j.error && j.error.code ? `: ${j.error.code}: ${j.error.message}` : '';
  process.stderr.write(`deeprelax: job ${j.id} ${name}${err}\n`);
  return name === 'cancelled' ? JOB_EXIT_CODES.cancelled : JOB_EXIT_CODES.failed;
}

export function submitCommand(): Command {
  return addJobOptions(new Command('submit').description('submit a training job (flags or a JSON/YAML job file) to the coordinator'))
    .option('--request-id <id>', 'idempotency key: submitting again with it returns the first job')
    .option('--watch', 'follow the job to its end (as `deeprelax watch`)')
    .option('-q, --quiet', 'print only the job id')
    .option('--json', 'print the stored job as JSON')
    .action(async (opts: Record<string, unknown>, cmd: Command) => {
      const spec = buildJobSpec(pickJobFlags(opts));
      await withClient(cmd, async (client) => {
        const job = await client.submitJob(spec, (opts.requestId as string | undefined) ?? '');
        if (opts.json) process.stdout.write(JSON.stringify(readable(job), null, 2) + '\n');
        else if (opts.quiet) process.stdout.write(job.id + '\n');
        else process.stdout.write(`submitted ${summaryLine(job)}\n`);
        if (opts.watch) {
          const r = await watchJob(client, job.id);
          process.exitCode = reportOutcome(r);
        }
      });
    });
}

export function jobsCommand(): Command {
  return new Command('jobs')
    .description('list jobs, newest first')
    .option('--state <states>', 'only jobs in these states (comma-separated: queued,running,succeeded,failed,cancelled)')
    .option('-n, --limit <n>', 'at most n jobs', '50')
    .option('--json', 'JSON output')
    .action(async (opts: { state?: string; limit: string; json?: boolean }, cmd: Command) => {
      let states: JobState[] = [];
      try {
        states = opts.state ? opts.state.split(',').map((s) => jobStateFromName(s.trim(), '--state')) : [];
      } catch (e) {
        throw new CliError(`--state: ${(e as Error).message.replace(/^--state: /, '')}`, 2);
      }
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new CliError(`--limit "${opts.limit}": expected an integer >= 1`, 2);
      await withClient(cmd, async (client) => {
        const res = await client.listJobs({ states, pageSize: limit });
        if (opts.json) process.stdout.write(JSON.stringify(readable(res.jobs), null, 2) + '\n');
        else if (res.jobs.length === 0) process.stdout.write('no jobs\n');
        else process.stdout.write(jobsTable(res.jobs));
      });
    });
}

export function statusCommand(): Command {
  return new Command('status')
    .description('show one job: state, progress, metrics, replicas')
    .argument('<job-id>')
    .option('--json', 'JSON output')
    .action(async (id: string, opts: { json?: boolean }, cmd: Command) => {
      await withClient(cmd, async (client) => {
        const j = await client.getJob(id);
        process.stdout.write(opts.json ? JSON.stringify(readable(j), null, 2) + '\n' : jobDetails(j));
      });
    });
}

export function watchCommand(): Command {
  return new Command('watch')
    .description('follow a job to its end: progress bars per worker and a live loss/error table (plain lines when not a terminal)')
    .argument('<job-id>')
    .option('--plot <dir>', 'write the curves (validation error vs effective epochs and wall-clock) into this folder at the end')
    .addOption(new Option('--plot-format <f>', 'plot format').choices(['svg', 'png']).default('svg'))
    .option('--no-tty', 'plain log lines even on a terminal')
    .action(async (id: string, opts: { plot?: string; plotFormat: 'svg' | 'png'; tty: boolean }, cmd: Command) => {
      await withClient(cmd, async (client) => {
        const ac = new AbortController();
        const onSig = () => ac.abort();
        process.once('SIGINT', onSig);
        try {
          const r = await watchJob(client, id, { ...(opts.tty ? {} : { tty: false }), signal: ac.signal });
          process.exitCode = reportOutcome(r);
          if (opts.plot) {
            const files = await writeJobPlots(opts.plot, id, `${r.job.spec?.model} · ${id}`, r.metrics, opts.plotFormat);
            process.stdout.write(`plot: ${files.plots.join(', ')}\n`);
          }
        } finally {
          process.off('SIGINT', onSig);
        }
      });
    });
}

export function cancelCommand(): Command {
  return new Command('cancel')
    .description('cancel a queued or running job')
    .argument('<job-id>')
    .option('--reason <text>', 'recorded with the job', 'cancelled by user')
    .action(async (id: string, opts: { reason: string }, cmd: Command) => {
      await withClient(cmd, async (client) => {
        const j = await client.cancelJob(id, opts.reason);
        process.stdout.write(`${j.id} ${jobStateName(j.state)}\n`);
      });
    });
}

export function workersCommand(): Command {
  return new Command('workers')
    .description('list the worker pool (or the workers of one job)')
    .option('--job <id>', 'only the workers of this job')
    .option('--json', 'JSON output')
    .action(async (opts: { job?: string; json?: boolean }, cmd: Command) => {
      await withClient(cmd, async (client) => {
        const ws = await client.listWorkers(opts.job ?? '');
        if (opts.json) process.stdout.write(JSON.stringify(readable(ws), null, 2) + '\n');
        else if (ws.length === 0) process.stdout.write('no workers\n');
        else process.stdout.write(workersTable(ws));
      });
    });
}

export function weightsCommand(): Command {
  return new Command('weights')
    .description("download a job's reference weights x (raw little-endian float32, packages/core's flat layout)")
    .argument('<job-id>')
    .requiredOption('-o, --out <file>', 'where to write x')
    .option('--buffers <file>', 'also write the batch-norm buffers here')
    .action(async (id: string, opts: { out: string; buffers?: string }, cmd: Command) => {
      await withClient(cmd, async (client) => {
        const { header, tensors } = await client.fetchWeights({ jobId: id, includeBuffers: Boolean(opts.buffers) });
        const x = tensors.find((t) => t.name === 'x');
        if (!x) throw new CliError(`job ${id}: the coordinator sent no x`);
        writeFileSync(opts.out, new Uint8Array(x.values.buffer, x.values.byteOffset, x.values.byteLength));
        let extra = '';
        if (opts.buffers) {
          const b = tensors.find((t) => t.name === 'buffers');
          const vals = b?.values ?? new Float32Array(0);
          writeFileSync(opts.buffers, new Uint8Array(vals.buffer, vals.byteOffset, vals.byteLength));
          extra = `, ${vals.length} buffer values to ${opts.buffers}`;
        }
        process.stdout.write(
          `wrote ${x.values.length} parameters (${(x.values.byteLength / 1e6).toFixed(2)} MB) of ${header.model} (job ${id}, ${jobStateName(header.state)}, round ${header.round}) to ${opts.out}${extra}\n`,
        );
      });
    });
}
