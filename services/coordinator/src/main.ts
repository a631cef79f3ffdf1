#!/usr/bin/env node
// The coordinator process: configuration from the environment (config.ts), start, and a graceful
// shutdown on SIGTERM / SIGINT (stop taking calls, checkpoint running jobs, close the store).
import { configFromEnv, ConfigError } from './config.js';
import { startCoordinator } from './start.js';

async function main(): Promise<void> {
  let config;
  try {
    config = configFromEnv();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`deeprelax-coordinator: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const handle = await startCoordinator(config);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    handle.log.info({ signal }, 'signal received');
    const force = setTimeout(() => process.exit(1), config.shutdownGraceMs + 10_000);
    force.unref();
    handle.close().then(
      () => process.exit(0),
      (err: unknown) => {
        handle.log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  // For process managers and tests: one line on stdout once listening.
  process.stdout.write(`${JSON.stringify({ listening: handle.address, port: handle.port, metricsPort: handle.metricsPort })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`deeprelax-coordinator: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
