// The §2.2 difference table for L > 0: each ESGD variant against a scalar transcription of the
// reference code it names ([ESGD-LUA] entropyoptim.lua, [ESGD-PY] python/optim.py with t
// incrementing, [DR-CODE] optim.py class ESGD), with weight decay, momentum and scoping on.
import { test } from 'node:test';
import { EntropySgd, TickBatchSource } from '@deeprelax/core';
import { assertClose, quadModel } from './helpers.js';

const a = 1.3; // f = a y²/2
const P = { L: 3, lr: 0.5, innerLr: 0.1, g0: 0.4, g1: 0.1, wd: 0.05, mom: 0.9, x0: 1.7, steps: 4 };

function luaReference(): number[] {
  let x = P.x0;
  const out: number[] = [];
  for (let t = 1; t <= P.steps; t++) {
    const g = P.g0 * (1 + P.g1) ** t;
    const xc = x;
    let lx = xc;
    let lmx = xc;
    let mdfdx = 0;
    for (let i = 0; i < P.L; i++) {
      let ld = a * lx;
      mdfdx = P.mom * mdfdx + ld;
      ld = ld + P.mom * mdfdx;
      ld = ld + g * (lx - xc) + P.wd * lx;
      lx -= P.innerLr * ld;
      lmx = 0.75 * lmx + 0.25 * lx;
    }
    x = xc - P.lr * (xc - lmx);
    out.push(x);
  }
  return out;
}

function pyReference(): number[] {
  let w = P.x0;
  let mdwOut = NaN;
  const out: number[] = [];
  for (let t = 1; t <= P.steps; t++) {
    if (t === 1) mdwOut = a * w; // state['mdw'] = deepcopy(w.grad) of the first closure
    const g = P.g0 * (1 + P.g1) ** t;
    const wc = w;
    let mw = wc;
    let mdwIn = 0;
    for (let i = 0; i < P.L; i++) {
      let dw = a * w;
      dw += P.wd * w;
      mdwIn = P.mom * mdwIn + dw;
      dw += P.mom * mdwIn;
      dw += g * (w - wc);
      w -= P.innerLr * dw;
      mw = 0.75 * mw + 0.25 * w;
    }
    w = wc;
    let dw = wc - mw;
    dw += P.wd * w;
    mdwOut = P.mom * mdwOut + dw;
    dw += P.mom * mdwOut;
    w -= P.lr * dw;
    out.push(w);
  }
  return out;
}

function drReference(): number[] {
  let x = P.x0;
  let mdwOut = 0;
  let mdwIn = 0; // persistent cache['mdw']
  const out: number[] = [];
  for (let t = 1; t <= P.steps; t++) {
    const g = P.g0 * (1 + P.g1) ** t;
    const wc = x;
    let w = wc;
    let mw = wc;
    for (let i = 0; i < P.L; i++) {
      let dw = a * w;
      dw += P.wd * w;
      dw += g * (w - wc);
      mdwIn = P.mom * mdwIn + dw;
      dw += P.mom * mdwIn;
      w -= P.innerLr * dw;
      mw = 0.75 * mw + 0.25 * w;
    }
    let dw = wc - mw;
    mdwOut = P.mom * mdwOut + dw;
    dw += P.mom * mdwOut;
    x = wc - P.lr * dw;
    out.push(x);
  }
  return out;
}

for (const [variant, reference] of [
  ['lua', luaReference],
  ['py', pyReference],
  ['dr', drReference],
] as const) {
  test(`ESGD variant '${variant}' matches its reference code step for step (L=3, λ, Nesterov, scoping)`, () => {
    const model = quadModel(a, P.x0);
    const opt = new EntropySgd(model, new TickBatchSource(), {
      algorithm: 'esgd',
      variant,
      L: P.L,
      lr: P.lr,
      innerLr: P.innerLr,
      g0: P.g0,
      g1: P.g1,
      weightDecay: P.wd,
      momentum: P.mom,
      noise: 0,
    });
    const want = reference();
    for (let k = 0; k < P.steps; k++) {
      opt.step();
      assertClose(model.readF64(model.params)[0], want[k], 1e-13, `${variant} step ${k + 1}`);
    }
  });
}

test('the three references really differ (the variant choice is observable)', () => {
  const [l, p, d] = [luaReference(), pyReference(), drReference()];
  for (const [u, v] of [
    [l, p],
    [l, d],
    [p, d],
  ]) {
    if (Math.abs(u[P.steps - 1] - v[P.steps - 1]) < 1e-3) throw new Error('references coincide');
  }
});
