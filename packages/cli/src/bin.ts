#!/usr/bin/env node
// The `deeprelax` command. Errors a user can fix print one line and exit non-zero.
import { Command, CommanderError } from 'commander';
import { trainCommand } from './commands/train.js';
import { modelsCommand, presetsCommand } from './commands/info.js';
import { UsageError } from './train/config.js';
import { cancelCommand, jobsCommand, statusCommand, submitCommand, watchCommand, weightsCommand, workersCommand } from './commands/jobs.js';
import { clusterRunCommand, upCommand } from './commands/up.js';
import { CliError } from './cluster/errors.js';

const program = new Command('deeprelax')
  .description('deep-relaxation optimizers (Entropy-SGD, HJ, HEAT, H-ESGD, EASGD, Parle): train, and run distributed jobs')
  .version('0.1.0')
  .showSuggestionAfterError()
  .exitOverride()
  .option('--coordinator <host:port>', 'coordinator of the cluster commands (default $DEEPRELAX_COORDINATOR or 127.0.0.1:50051)')
  .option('--token <token>', 'bearer token for the coordinator (default $DEEPRELAX_TOKEN)')
  .option('--tls', 'connect with TLS (system roots, or --tls-ca)')
  .option('--tls-ca <file>', 'CA certificate of the coordinator (implies --tls; default $DEEPRELAX_TLS_CA)');
program.addCommand(trainCommand());
program.addCommand(modelsCommand());
program.addCommand(presetsCommand());
program.addCommand(submitCommand());
program.addCommand(jobsCommand());
program.addCommand(statusCommand());
program.addCommand(watchCommand());
program.addCommand(cancelCommand());
program.addCommand(workersCommand());
program.addCommand(weightsCommand());
program.addCommand(upCommand());
program.addCommand(clusterRunCommand());
// addCommand does not copy settings: every subcommand throws instead of exiting, so usage errors exit 2.
for (const c of program.commands) c.exitOverride().showSuggestionAfterError();

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    process.exit(e.exitCode === 0 ? 0 : 2);
  }
  if (e instanceof CliError) {
    process.stderr.write(`deeprelax: ${e.message}\n`);
    process.exit(e.exitCode);
  }
  const err = e as Error;
  const usage = err instanceof UsageError || err instanceof RangeError || err.name === 'SpecError';
  process.stderr.write(`deeprelax: ${err.message}\n`);
  process.exit(usage ? 2 : 1);
}
