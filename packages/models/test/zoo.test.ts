import { test } from 'node:test';
import assert from 'node:assert/strict';
import { layoutOf, SpecError } from '@deeprelax/core';
import { allcnn, getModelSpec, lenet, mlp, mnistfc, modelNames, parameterCount, tinyconv } from '@deeprelax/models';

// ALGORITHMS.md §4 T15: exact parameter counts of the paper's networks.
test('T15 parameter counts: mnistfc 1,867,786, LeNet 131,220, All-CNN 1,667,166', () => {
  assert.equal(parameterCount(mnistfc()), 1_867_786);
  assert.equal(parameterCount(lenet()), 131_220);
  assert.equal(parameterCount(allcnn()), 1_667_166);
});

test('spatial sizes follow the paper: LeNet 28->24->8->4->2, All-CNN 32->16->8->1', () => {
  const l = layoutOf(lenet());
  assert.deepEqual(l.outputShapes[0], [20, 24, 24]);
  assert.deepEqual(l.outputShapes[2], [20, 8, 8]);
  assert.deepEqual(l.outputShapes[5], [50, 4, 4]);
  assert.deepEqual(l.outputShapes[7], [50, 2, 2]);
  const a = layoutOf(allcnn());
  const shapes = a.outputShapes.filter((s) => s.length === 3).map((s) => s[1]);
  assert.ok(shapes.includes(16) && shapes.includes(8));
  assert.deepEqual(a.outputShapes[a.outputShapes.length - 2], [10, 1, 1]);
});

test('batch-norm buffers: two per BN feature', () => {
  assert.equal(layoutOf(mnistfc()).numBuffers, 2 * (1024 + 1024));
  assert.equal(layoutOf(lenet()).numBuffers, 2 * (20 + 50));
});

test('small nets are valid and dropout overrides apply', () => {
  assert.equal(parameterCount(mlp([784, 128, 10], [1, 28, 28])), 784 * 128 + 128 + 128 * 10 + 10);
  assert.ok(parameterCount(tinyconv()) > 0);
  const spec = lenet({ dropout: 0.5 });
  assert.ok(spec.layers.filter((l) => l.kind === 'dropout').every((l) => l.kind === 'dropout' && l.p === 0.5));
});

test('registry: every name builds; unknown names fail listing the known ones', () => {
  for (const n of modelNames()) assert.equal(layoutOf(getModelSpec(n)).outputShapes.at(-1)?.[0], 10);
  assert.throws(() => getModelSpec('resnet'), (e: unknown) => e instanceof SpecError && /mnistfc/.test(e.message));
});

test('layoutOf rejects inconsistent specs with the layer named', () => {
  const bad = mnistfc();
  (bad.layers[2] as { inFeatures: number }).inFeatures = 700;
  assert.throws(() => layoutOf(bad), /layer 2 \(linear\)/);
  assert.throws(() => layoutOf({ ...lenet(), numClasses: 7 }), /expected \[7\]/);
  assert.throws(() => layoutOf({ name: 'x', inputShape: [4], numClasses: 2, layers: [{ kind: 'softmax' } as never] }), /unknown layer kind/);
});
