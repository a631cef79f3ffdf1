import { Command } from 'commander';
import { ALGORITHM_NAMES, PRESET_MODELS, preset } from '@deeprelax/core';
import { modelEntries, parameterCount } from '@deeprelax/models';

export function modelsCommand(): Command {
  return new Command('models').description('list the model zoo').action(() => {
    for (const m of modelEntries()) {
      process.stdout.write(`${m.name.padEnd(10)} ${String(parameterCount(m.build())).padStart(10)} params  ${m.description}\n`);
    }
  });
}

export function presetsCommand(): Command {
  return new Command('presets')
    .description("show the paper's preset for an algorithm and model (what `train` uses for flags you leave out)")
    .argument('[algo]', `one of ${ALGORITHM_NAMES.join(', ')}`)
    .argument('[model]', `one of ${PRESET_MODELS.join(', ')}`)
    .action((algo?: string, model?: string) => {
      const algos = algo ? [algo] : [...ALGORITHM_NAMES];
      const models = model ? [model] : [...PRESET_MODELS];
      for (const a of algos) for (const m of models) {
        const p = preset(a as never, m as never);
        process.stdout.write(JSON.stringify(p) + '\n');
      }
    });
}
