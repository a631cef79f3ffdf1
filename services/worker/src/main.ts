#!/usr/bin/env node
// The worker process: configuration from the environment (config.ts), pino logs, startWorker(),
// and a clean leave on SIGTERM/SIGINT (a second signal exits at once).
import { CRC32_IMPLEMENTATION } from '@deeprelax/rpc';
import { createLogger } from '@deeprelax/runtime';
import { ConfigError, workerConfigFromEnv } from './config.js';
import { startWorker } from './worker.js';

let config;
try {
  config = workerConfigFromEnv();
} catch (e) {
  process.stderr.write(`deeprelax-worker: ${(e as Error).message}\n`);
  process.exit(e instanceof ConfigError ? 2 : 1);
}
const log = createLogger({ level: config.logLevel, name: 'deeprelax-worker', ...(config.logPretty === null ? {} : { pretty: config.logPretty }) });
log.info(
  { coordinator: config.coordinator, engine: config.engine, threads: config.threads, metricsPort: config.metricsPort, auth: config.token !== null, tls: config.tls !== null, crc32: CRC32_IMPLEMENTATION },
  'worker starting',
);
let worker;
try {
  worker = await startWorker(config, { logger: log });
} catch (e) {
  log.fatal({ err: (e as Error).message }, 'worker failed to start');
  process.exit(1);
}
let signals = 0;
const onSignal = (sig: NodeJS.Signals) => {
  if (++signals > 1) {
    log.warn({ signal: sig }, 'second signal: exiting now');
    process.exit(130);
  }
  log.info({ signal: sig }, 'leaving the pool');
  void worker.stop(`signal ${sig}`);
};
process.on('SIGTERM', onSignal);
process.on('SIGINT', onSignal);
try {
  await worker.done;
  process.exit(0);
} catch (e) {
  log.fatal({ err: (e as Error).message }, 'worker stopped on an error');
  process.exit(1);
}
