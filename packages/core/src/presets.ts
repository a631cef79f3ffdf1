// Paper protocols per (algorithm, network): preset('esgd', 'lenet') gives L, the lr schedule, g0, g1,
// noise, epochs ... with no other input (ALGORITHMS.md §2.1, §2.2, §3.3, §6). Every preset lists its
// sources; values marked [guess] are not recorded anywhere and were chosen by analogy (§6 item 2).
import type { AlgorithmName, OptimizerConfig } from './algorithms/factory.js';
import { ALGORITHM_NAMES } from './algorithms/factory.js';
import type { LrScheduleSpec } from './schedules/lr.js';

export type PresetModelName = 'mnistfc' | 'lenet' | 'allcnn';
export const PRESET_MODELS: readonly PresetModelName[] = ['mnistfc', 'lenet', 'allcnn'];

export interface TrainingPreset {
  algorithm: AlgorithmName;
  model: PresetModelName;
  dataset: 'mnist' | 'cifar10';
  optimizer: OptimizerConfig;
  lrSchedule: LrScheduleSpec;
  epochs: number;
  /** Minibatch size m (128 everywhere). */
  batchSize: number;
  /** Validate every k epochs (every epoch when L > 0, §3.3; every epoch for SGD too, for the curves). */
  evalEvery: number;
  /** Where each value comes from. */
  sources: string[];
}

const MNIST = (m: PresetModelName) => m !== 'allcnn';

/** λ: 0 for the MNIST nets, 1e-3 for All-CNN ([DR-CODE] models.py, [ESGD-LUA] README). */
function l2(m: PresetModelName): number {
  return MNIST(m) ? 0 : 1e-3;
}

/** A piecewise-constant lr table: rows [last epoch, lr] and the run's epochs. */
interface LrTable {
  rows: [number, number][];
  epochs: number;
}

const SGD_LR: Record<'mnist' | 'cifar', LrTable> = {
  mnist: { rows: [[30, 0.1], [60, 0.02], [150, 0.004]], epochs: 100 },
  cifar: { rows: [[60, 0.1], [120, 0.02], [180, 0.004], [250, 0.0008]], epochs: 200 },
};

const ESGD_LR: Record<PresetModelName, LrTable> = {
  mnistfc: { rows: [[2, 1.0], [15, 0.1]], epochs: 5 },
  lenet: { rows: [[2, 1.0], [7, 0.1], [15, 0.01]], epochs: 5 },
  allcnn: { rows: [[3, 1.0], [6, 0.2], [12, 0.04]], epochs: 10 },
};

/** [guess] lr 0.1 divided by 5 at ~30% and ~60% of the run, as the SGD schedules, in ESGD epochs. */
const GRAD_SCALE_LR: Record<PresetModelName, LrTable> = {
  mnistfc: { rows: [[3, 0.1], [6, 0.02], [10, 0.004]], epochs: 10 },
  lenet: { rows: [[2, 0.1], [4, 0.02], [5, 0.004]], epochs: 5 },
  allcnn: { rows: [[3, 0.1], [6, 0.02], [10, 0.004]], epochs: 10 },
};

/** g0: 1e-4 (MNIST) / 0.03 (CIFAR); g1 = 1e-3 ([ESGD-LUA] README, [REPRO]). */
function esgdScoping(m: PresetModelName): { g0: number; g1: number } {
  return { g0: MNIST(m) ? 1e-4 : 0.03, g1: 1e-3 };
}

/** The table with its epoch boundaries multiplied by k: the same schedule in effective epochs at L / k. */
function stretch(t: LrTable, k: number): LrTable {
  return { rows: t.rows.map(([e, lr]) => [Math.round(e * k), lr]), epochs: Math.round(t.epochs * k) };
}

/** A table as preset fields: the optimizer's lr (the first row's), the piecewise schedule and the epochs. */
function fromTable(t: LrTable): { lr: number; schedule: Pick<TrainingPreset, 'lrSchedule' | 'epochs'> } {
  return { lr: t.rows[0][1], schedule: { lrSchedule: { kind: 'piecewise', rows: t.rows }, epochs: t.epochs } };
}

/** §2.1: outer momentum μ = 0.9 Nesterov, with the network's λ. */
function nesterov(weightDecay: number): { momentum: number; nesterov: boolean; weightDecay: number } {
  return { momentum: 0.9, nesterov: true, weightDecay };
}

function base(algorithm: AlgorithmName, model: PresetModelName): Pick<TrainingPreset, 'algorithm' | 'model' | 'dataset' | 'batchSize' | 'evalEvery'> {
  return { algorithm, model, dataset: MNIST(model) ? 'mnist' : 'cifar10', batchSize: 128, evalEvery: 1 };
}

/** The preset for an algorithm and one of the paper networks. Throws RangeError on unknown names. */
export function preset(algorithm: AlgorithmName, model: PresetModelName): TrainingPreset {
  if (!(ALGORITHM_NAMES as readonly string[]).includes(algorithm)) {
    throw new RangeError(`no preset for algorithm ${String(algorithm)}; expected one of ${ALGORITHM_NAMES.join(', ')}`);
  }
  if (!(PRESET_MODELS as readonly string[]).includes(model)) {
    throw new RangeError(`no preset for model ${String(model)}; expected one of ${PRESET_MODELS.join(', ')}`);
  }
  const b = base(algorithm, model);
  const wd = l2(model);
  const sgdLr = SGD_LR[MNIST(model) ? 'mnist' : 'cifar'];
  switch (algorithm) {
    case 'sgd': {
      const t = fromTable(sgdLr);
      return {
        ...b,
        optimizer: { algorithm: 'sgd', lr: t.lr, ...nesterov(wd) },
        ...t.schedule,
        sources: ['[ESGD-LUA] train.lua schedules and max epochs (L = 0)', '§2.1: μ = 0.9 Nesterov, m = 128, λ per network'],
      };
    }
    case 'esgd': {
      const t = fromTable(ESGD_LR[model]);
      return {
        ...b,
        optimizer: {
          algorithm: 'esgd',
          variant: 'lua',
          lr: t.lr,
          L: 20,
          innerLr: 0.1,
          noise: 1e-4,
          beta1: 0.75,
          ...esgdScoping(model),
          ...nesterov(wd),
        },
        ...t.schedule,
        sources: [
          '[ESGD-LUA] train.lua: outer lr schedule and max epochs (L > 0); README: L = 20, gamma, scoping, noise',
          '[REPRO] CIFAR-10 protocol: L = 20, 10 epochs, SGLD lr 0.1, noise 1e-4, g0 = 0.03 ×1.001 per update',
        ],
      };
    }
    case 'hesgd': {
      // The DR variant puts Nesterov(0.9) on the outer direction, which the Lua ESGD schedule does
      // not have; its steady-state step is 1/(1 − μ) = 10x larger. With the ESGD rates unchanged
      // mnistfc diverged in the second epoch (measured: 7.6% after epoch 1, then NaN); a tenth of
      // them keeps the effective outer step of ESGD and trains (2.0% after 2 epochs on 20k samples).
      // LeNet: L = 15 for 5 epochs, as HEAT, with the lr schedule stretched and g1 scaled so that lr
      // and the coupling follow the L = 20 course per effective epoch. At the paper's "@ 60" that is 4
      // epochs of outer steps instead of 3 (measured, 3 seeds: 0.58 ± 0.05 at L = 20; see
      // bench/reproduce/README.md).
      const esgd = ESGD_LR[model];
      const L = model === 'lenet' ? 15 : 20;
      const table = stretch({ ...esgd, rows: esgd.rows.map(([e, lr]) => [e, lr / 10] as [number, number]) }, 20 / L);
      const t = fromTable(model === 'lenet' ? { ...table, epochs: 5 } : table);
      return {
        ...b,
        optimizer: {
          algorithm: 'hesgd',
          variant: 'dr',
          lr: t.lr,
          L,
          innerLr: 0.25,
          noise: 0,
          beta1: 1e-4,
          ...esgdScoping(model),
          g1: (esgdScoping(model).g1 * L) / 20,
          ...nesterov(wd),
        },
        ...t.schedule,
        sources: [
          '[DR-CODE] class HJB: eps → 0, llr 0.25, beta1 1e-4, ESGD dr variant',
          '[guess] L, g0, g1 and epochs as Entropy-SGD (§6 item 2; LeNet: see below); lr schedule: Entropy-SGD\'s ÷ 10 (outer Nesterov in the DR variant)',
          '[guess] LeNet: L = 15 and 5 epochs (g1 = 7.5e-4, the lr schedule stretched: the L = 20 course per effective epoch); measured better at the paper\'s @ 60 than L = 20',
        ],
      };
    }
    case 'hj': {
      // LeNet: L = 10, the value [DR-CODE] notes record for LeNet, and the one that puts an evaluation on
      // the paper's "@ 70" (with L = 20 they fall on 60 and 80). The lr schedule is stretched and g1
      // halved, so lr and τ = 1/g follow the same course per effective epoch as with L = 20 (twice
      // the outer steps per effective epoch).
      const L = model === 'lenet' ? 10 : 20;
      const t = fromTable(stretch(GRAD_SCALE_LR[model], 20 / L));
      return {
        ...b,
        optimizer: {
          algorithm: 'hj',
          lr: t.lr,
          L,
          beta: 0.75,
          g0: 10,
          g1: (1e-3 * L) / 20,
          ...nesterov(wd),
        },
        ...t.schedule,
        sources: [
          '[DR-CODE] class FP: β = 0.75, τ = 1/g, Nesterov 0.9 from main.py, lr 0.1 class default',
          '[guess] L = 20 (mnistfc, allcnn); τ0 = 0.1 (g0 = 10) so that aτ < 7 for curvatures below 70; g1 = 1e-3; lr schedule; epochs from Table 1 effective epochs / L',
          '[DR-CODE] notes: LeNet runs with L = 10 (here with g1 = 5e-4 and the lr schedule stretched, so lr and τ follow the L = 20 course per effective epoch)',
        ],
      };
    }
    case 'heat': {
      // LeNet: L = 15, which puts an evaluation on the paper's "@ 75" (with L = 20 they fall on 60
      // and 80), for the 5 epochs of the other LeNet runs. As for HJ, the lr schedule is stretched and
      // g1 scaled so that lr and t = 1/g follow the L = 20 course per effective epoch.
      const L = model === 'lenet' ? 15 : 20;
      const table = stretch(GRAD_SCALE_LR[model], 20 / L);
      const t = fromTable(model === 'lenet' ? { ...table, epochs: 5 } : table);
      return {
        ...b,
        optimizer: {
          algorithm: 'heat',
          estimator: 'gaussian',
          lr: t.lr,
          L,
          g0: 1e4,
          g1: (1e-3 * L) / 20,
          ...nesterov(wd),
        },
        ...t.schedule,
        sources: [
          '§2.5 Gaussian-smoothing estimator (default); use estimator "dr-compat" for the [DR-CODE] HEAT class',
          '[guess] t0 = 1e-4 (g0 = 1e4: perturbation std 0.01 per weight), g1 = 1e-3, L = 20, lr schedule, epochs',
          '[guess] LeNet: L = 15 and 5 epochs, so that an evaluation falls on the paper\'s @ 75 (g1 = 7.5e-4 and the lr schedule stretched: the L = 20 course per effective epoch)',
        ],
      };
    }
    case 'parle':
      return {
        ...b,
        optimizer: {
          algorithm: 'parle',
          replicas: 3,
          L: 25,
          lr: 0.1,
          beta1: 0.75,
          ...nesterov(wd),
        },
        lrSchedule: { kind: 'step', lr0: 0.1, factor: 0.1, every: 1 },
        epochs: MNIST(model) ? 5 : 10,
        sources: [
          '[PARLE-CODE] parle_mpi.py: L = 25, one lr 0.1 for both loops ÷10 per epoch, α = 0.75, couplings 0.01·(1+0.5/nb)^k capped 1 / 0.01·L·n·(…) capped 10',
          'README: 5–10 epochs suffice on MNIST or CIFAR; n = 3 as in the smallest experiments; λ per [DE-CODE] models.py',
        ],
      };
    case 'easgd':
    case 'eamsgd': {
      const eam = algorithm === 'eamsgd';
      const t = fromTable({ rows: sgdLr.rows.map(([e, lr]) => [e, eam ? lr / 10 : lr]), epochs: sgdLr.epochs });
      return {
        ...b,
        optimizer: {
          algorithm,
          workers: 4,
          lr: t.lr,
          alpha: 0.9 / 4,
          tau: 1,
          momentum: eam ? 0.99 : 0,
          weightDecay: wd,
          mode: 'sync',
        },
        ...t.schedule,
        sources: [
          '[MPIT] optim-eamsgd.lua / mlaunch.lua: α = β/p with β = 0.9, EAMSGD δ = 0.99 with lr 1e-2',
          '[guess] p = 4, τ = 1, the SGD lr schedule and epochs (EAMSGD: ×0.1)',
        ],
      };
    }
    case 'dist-esgd': {
      const t = fromTable(ESGD_LR[model]);
      return {
        ...b,
        optimizer: {
          algorithm: 'dist-esgd',
          workers: 4,
          lr: t.lr,
          lrScaling: 'none',
          L: 20,
          innerLr: 0.1,
          noise: 1e-4,
          beta1: 0.75,
          innerMomentum: 0.9,
          ...esgdScoping(model),
          weightDecay: wd,
        },
        ...t.schedule,
        sources: [
          '§2.8 discretisation with the Entropy-SGD hyper-parameters (lr in the code convention: g absorbed into η)',
          '[guess] p = 4; inner Nesterov 0.9 for parity with the Entropy-SGD runs',
        ],
      };
    }
  }
}

/** A preset with overrides merged in (optimizer fields are merged; the algorithm cannot change). */
export function presetWith(
  algorithm: AlgorithmName,
  model: PresetModelName,
  overrides: {
    optimizer?: Record<string, unknown>;
    lrSchedule?: LrScheduleSpec;
    epochs?: number;
    batchSize?: number;
    evalEvery?: number;
  } = {},
): TrainingPreset {
  const p = preset(algorithm, model);
  const { algorithm: _ignored, ...opt } = overrides.optimizer ?? {};
  return {
    ...p,
    optimizer: { ...p.optimizer, ...opt } as OptimizerConfig,
    lrSchedule: overrides.lrSchedule ?? p.lrSchedule,
    epochs: overrides.epochs ?? p.epochs,
    batchSize: overrides.batchSize ?? p.batchSize,
    evalEvery: overrides.evalEvery ?? p.evalEvery,
  };
}
