// Progress for long runs: a cli-progress bar on a terminal, periodic log lines otherwise.
import cliProgress from 'cli-progress';
import type { Logger } from '@deeprelax/runtime';

export interface ProgressReporter {
  start(total: number, label: string): void;
  update(done: number, fields: Record<string, string | number>): void;
  stop(): void;
}

export function createProgress(log: Logger, options: { tty?: boolean; everyMs?: number } = {}): ProgressReporter {
  const tty = options.tty ?? Boolean(process.stdout.isTTY);
  if (tty) {
    const bar = new cliProgress.SingleBar(
      {
        format: '{label} |{bar}| {percentage}% {value}/{total} steps | loss {loss} | {rate} samples/s | eta {eta_formatted}',
        hideCursor: true,
        clearOnComplete: true,
        etaBuffer: 200,
      },
      cliProgress.Presets.shades_classic,
    );
    return {
      start: (total, label) => bar.start(total, 0, { label, loss: '-', rate: '-' }),
      update: (done, fields) => bar.update(done, fields),
      stop: () => bar.stop(),
    };
  }
  const every = options.everyMs ?? 10_000;
  let last = 0;
  let total = 0;
  let label = '';
  return {
    start(t, l) {
      total = t;
      label = l;
      last = Date.now();
    },
    update(done, fields) {
      const now = Date.now();
      if (now - last < every && done < total) return;
      last = now;
      log.info({ progress: `${done}/${total}`, ...fields }, `${label} progress`);
    },
    stop() {},
  };
}
