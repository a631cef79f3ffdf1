import { Command, Option } from 'commander';
import { ALGORITHM_NAMES } from '@deeprelax/core';
import { DATASET_NAMES } from '@deeprelax/data';
import { modelNames } from '@deeprelax/models';
import { ENGINE_CHOICES } from '@deeprelax/runtime';
import { createLogger } from '@deeprelax/runtime';
import { compileTrainConfig, type TrainFlags } from '../train/config.js';
import { runTraining } from '../train/run.js';

const collect = (v: string, prev: string[]) => [...prev, v];

export function trainCommand(): Command {
  return new Command('train')
    .description("train one model in this process with one of the paper's optimizers (the paper's preset fills every flag you leave out)")
    .requiredOption('-m, --model <name>', `model: ${modelNames().join(', ')}`)
    .addOption(new Option('-a, --algo <name>', 'algorithm').choices(ALGORITHM_NAMES as string[]).default('sgd'))
    .addOption(new Option('-d, --dataset <name>', 'dataset (default: mnist, or cifar10 for allcnn)').choices(DATASET_NAMES as string[]))
    .option('--data-dir <dir>', 'dataset directory (IDX files, or CIFAR-10 binary batches)')
    .option('-e, --epochs <n>', 'epochs (default: the preset)')
    .option('-s, --seed <n>', 'random seed', '42')
    .addOption(new Option('--engine <name>', 'compute engine').choices(ENGINE_CHOICES as string[]).default('auto'))
    .addOption(new Option('--device <d>', 'torch device').choices(['cpu', 'cuda', 'auto']))
    .option('--threads <n>', 'torch intra-op threads (default 1)')
    .option('--cpu-cache-mib <n>', 'torch: MiB of freed large CPU blocks kept for reuse (default 512, 0 = off)')
    .option('-b, --batch-size <n>', 'minibatch size (default 128)')
    .option('--lr <lr>', 'constant outer learning rate (replaces the preset schedule)')
    .option('--lr-schedule <spec>', 'learning-rate schedule: "2:1.0,15:0.1" (last epoch:lr), "step:0.1:0.2:30", or a number')
    .option('-L, --L <n>', 'inner-loop steps (esgd, hj, hesgd, heat, parle)')
    .option('--inner-lr <lr>', "inner (SGLD) step size η'")
    .option('--noise <eps>', 'Langevin noise ε (code scaling: per-step std ε·sqrt(2η\'))')
    .option('--g0 <g>', 'initial coupling g0 (scoping g_t = g0 (1+g1)^t)')
    .option('--g1 <r>', 'scoping rate g1 per outer step')
    .option('--momentum <mu>', 'momentum μ')
    .option('--nesterov', 'Nesterov momentum')
    .option('--no-nesterov', 'classical momentum')
    .option('--weight-decay <lambda>', 'L2 weight decay λ')
    .option('--variant <name>', 'reference-code variant (esgd: lua | py | dr)')
    .option('--replicas <n>', 'replicas for the simulated distributed algorithms (parle, easgd, eamsgd, dist-esgd)')
    .option('--set <key=value>', 'any other optimizer field, JSON value (repeatable), e.g. --set beta=0.5', collect, [])
    .option('--eval-every <n>', 'validate every n epochs (the last epoch always)')
    .option('--train-limit <n>', 'use only the first n training samples (quick runs)')
    .option('--test-limit <n>', 'use only the first n test samples (quick runs)')
    .option('-o, --out <dir>', 'output directory (default runs/<model>-<algo>-s<seed>-<time>)')
    .addOption(new Option('--plot <format>', 'plot format').choices(['svg', 'png']).default('svg'))
    .option('--log-level <level>', 'pino log level', 'info')
    .action(async (opts: Record<string, unknown>) => {
      const { logLevel, ...flags } = opts;
      const cfg = compileTrainConfig(flags as TrainFlags);
      const log = createLogger({ level: logLevel as string });
      const ac = new AbortController();
      const onSig = () => {
        log.warn('interrupted: finishing the current step and writing outputs (press Ctrl-C again to quit now)');
        if (ac.signal.aborted) process.exit(130);
        ac.abort();
      };
      process.on('SIGINT', onSig);
      process.on('SIGTERM', onSig);
      const r = await runTraining(cfg, log);
      process.off('SIGINT', onSig);
      process.off('SIGTERM', onSig);
      const err = r.finalValError === null ? 'n/a' : `${(100 * r.finalValError).toFixed(2)}%`;
      const last = r.records.at(-1);
      process.stdout.write(
        `${r.status === 'completed' ? 'finished' : r.status}: ${cfg.model}/${cfg.algorithm} on ${cfg.dataset}, ` +
          `${last ? `${last.epoch} epochs = ${last.effectiveEpochs} effective epochs, ` : ''}` +
          `final validation error ${err}\n` +
          `outputs: ${r.outDir} (metrics.jsonl, ${r.plotFiles.map((p) => p.split('/').pop()).join(', ') || 'no plot'}, weights.f32)\n`,
      );
      if (r.status === 'diverged') {
        process.stderr.write(`deeprelax: training diverged: ${r.reason}\n`);
        process.exitCode = 3;
      }
    });
}
