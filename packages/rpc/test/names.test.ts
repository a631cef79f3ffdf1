import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  JOB_ALGORITHM_NAMES,
  algorithmFromName,
  algorithmName,
  engineFromName,
  engineName,
  InvalidArgumentError,
  isAsyncAlgorithm,
  isTerminalJobState,
  jobStateFromName,
  jobStateName,
  LOADER_OPTIONS,
  packageDefinition,
  protoGrpc,
} from '@deeprelax/rpc';

test('algorithm, engine and job-state names map both ways', () => {
  for (const n of JOB_ALGORITHM_NAMES) assert.equal(algorithmName(algorithmFromName(n)), n);
  assert.equal(algorithmFromName('easgd-async'), 'ALGORITHM_EASGD_ASYNC');
  assert.ok(isAsyncAlgorithm(algorithmFromName('easgd-async')));
  assert.ok(isAsyncAlgorithm(algorithmFromName('eamsgd-async')));
  assert.ok(!isAsyncAlgorithm(algorithmFromName('parle')));
  assert.equal(algorithmFromName('dist-esgd'), 'ALGORITHM_DESGD');
  assert.throws(() => algorithmFromName('adam'), (e: unknown) => e instanceof InvalidArgumentError && e.field === 'spec.algorithm');
  assert.equal(engineFromName('torch'), 'ENGINE_KIND_TORCH');
  assert.equal(engineName('ENGINE_KIND_TFJS'), 'tfjs');
  assert.equal(jobStateName('JOB_STATE_CANCELLED'), 'cancelled');
  assert.equal(jobStateFromName('running'), 'JOB_STATE_RUNNING');
  assert.throws(() => jobStateFromName('paused'), InvalidArgumentError);
  assert.ok(isTerminalJobState('JOB_STATE_FAILED'));
  assert.ok(!isTerminalJobState('JOB_STATE_QUEUED'));
});

test('the loaded contract has both services and decodes with the shared options', () => {
  const def = packageDefinition();
  assert.ok('deeprelax.v1.JobService' in def);
  assert.ok('deeprelax.v1.CoordinatorService' in def);
  const pkg = protoGrpc();
  const exchange = pkg.deeprelax.v1.CoordinatorService.service.Exchange;
  assert.equal(exchange.requestStream, true);
  assert.equal(exchange.responseStream, true);
  // Round trip through the real (de)serialisers: camelCase fields, string enums, number longs,
  // oneof discriminant, defaults filled in, proto3 optional presence kept.
  const submit = pkg.deeprelax.v1.JobService.service.SubmitJob;
  const bytes = submit.requestSerialize({
    spec: {
      model: 'mnistfc',
      algorithm: 'ALGORITHM_PARLE',
      dataset: { name: 'mnist' },
      hyper: {
        innerSteps: 25,
        lr: { stepDecay: { lr0: 0.1, factor: 0.1, everyEpochs: 1 } },
        rho: { capped: { g0: 0.01, rate: 0.001, cap: 10 } },
        outerBase: 'OUTER_BASE_INNER',
      },
      seed: 0,
      evalInterval: { rounds: 100 },
    },
  });
  const back = submit.requestDeserialize(bytes);
  assert.equal(back.spec!.algorithm, 'ALGORITHM_PARLE');
  assert.equal(back.spec!.dataset!.source, 'name');
  assert.equal(back.spec!.hyper!.innerSteps, 25);
  assert.equal(back.spec!.hyper!.noise, undefined, 'unset optional stays unset');
  assert.equal(back.spec!.hyper!.lr!.schedule, 'stepDecay');
  assert.equal(back.spec!.hyper!.rho!.capped!.cap, 10);
  assert.equal(back.spec!.hyper!.outerBase, 'OUTER_BASE_INNER');
  assert.equal(back.spec!.hyper!.noiseScaling, 'NOISE_SCALING_UNSPECIFIED');
  assert.equal(back.spec!.seed, 0, 'optional seed 0 is present');
  assert.equal(back.spec!.evalInterval!.rounds, 100);
  assert.equal(typeof back.spec!.evalInterval!.rounds, 'number');
  assert.equal(back.spec!.minWorkers, 0);
  assert.equal(back.spec!.engine, 'ENGINE_KIND_AUTO');
  assert.equal(back.spec!.checkpointInterval, null);
  assert.equal(LOADER_OPTIONS.longs, Number);
});
