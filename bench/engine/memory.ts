// Memory over a long run of the torch engine's training loop: RSS after 1,000 and after 10,000
// steps (each step: lossAndGrad, an SGD update, a temporary vector with noise, allocated and freed).
// Run as its own process by run.ts so that nothing else shares its heap; prints one JSON line.
import { parseArgs } from 'node:util';
import { createTorchEngine } from '@deeprelax/engine-torch';
import { SPECS } from './specs.js';
import { makeBatches } from './loop.js';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'lenet' },
    steps: { type: 'string', default: '10000' },
    early: { type: 'string', default: '1000' },
    batch: { type: 'string', default: '128' },
  },
});
const spec = SPECS[values.model!];
if (!spec) throw new Error(`unknown model ${values.model}`);
const steps = Number(values.steps);
const early = Math.min(Number(values.early), Math.max(1, Math.floor(steps / 10)));
const engine = createTorchEngine({ threads: 1 });
const m = engine.createModel(spec, { seed: 1 });
const batches = makeBatches(spec, Number(values.batch), 8, 3);
const mib = () => process.memoryUsage().rss / 2 ** 20;
const samples: Array<{ step: number; rssMiB: number }> = [{ step: 0, rssMiB: mib() }];
const t0 = performance.now();
for (let i = 1; i <= steps; i++) {
  m.lossAndGrad(batches[i % batches.length]);
  m.axpy(m.params, -0.01, m.grad);
  const v = m.vector(m.params);
  m.addNoise(v, 1e-4);
  m.free(v);
  if (i === early || i % Math.max(1, Math.floor(steps / 20)) === 0) samples.push({ step: i, rssMiB: mib() });
}
const atEarly = samples.find((s) => s.step === early)!.rssMiB;
const atEnd = samples[samples.length - 1].rssMiB;
m.dispose();
process.stdout.write(
  JSON.stringify({
    model: spec.name,
    batchSize: Number(values.batch),
    steps,
    seconds: (performance.now() - t0) / 1000,
    rssMiBAtEarly: atEarly,
    rssMiBAtEnd: atEnd,
    earlyStep: early,
    growth: atEnd / atEarly - 1,
    withinFivePercent: atEnd <= atEarly * 1.05,
    samples,
  }) + '\n',
);
