#!/usr/bin/env node
// The `deeprelax` command. Errors a user can fix print one line and exit non-zero.
import { Command, CommanderError } from 'commander';
import { trainCommand } from './commands/train.js';
import { modelsCommand, presetsCommand } from './commands/info.js';
import { UsageError } from './train/config.js';

const program = new Command('deeprelax')
  .description('deep-relaxation optimizers (Entropy-SGD, HJ, HEAT, H-ESGD, EASGD, Parle): train, and run distributed jobs')
  .version('0.1.0')
  .showSuggestionAfterError()
  .exitOverride();
program.addCommand(trainCommand());
program.addCommand(modelsCommand());
program.addCommand(presetsCommand());
// addCommand does not copy settings: every subcommand throws instead of exiting, so usage errors exit 2.
for (const c of program.commands) c.exitOverride().showSuggestionAfterError();

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    process.exit(e.exitCode === 0 ? 0 : 2);
  }
  const err = e as Error;
  const usage = err instanceof UsageError || err instanceof RangeError || err.name === 'SpecError';
  process.stderr.write(`deeprelax: ${err.message}\n`);
  process.exit(usage ? 2 : 1);
}
