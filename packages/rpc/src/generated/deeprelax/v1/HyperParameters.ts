// Original file: proto/deeprelax/v1/jobs.proto

import type { LrSchedule as _deeprelax_v1_LrSchedule, LrSchedule__Output as _deeprelax_v1_LrSchedule__Output } from '../../deeprelax/v1/LrSchedule.js';
import type { CouplingSchedule as _deeprelax_v1_CouplingSchedule, CouplingSchedule__Output as _deeprelax_v1_CouplingSchedule__Output } from '../../deeprelax/v1/CouplingSchedule.js';
import type { OuterBase as _deeprelax_v1_OuterBase, OuterBase__Output as _deeprelax_v1_OuterBase__Output } from '../../deeprelax/v1/OuterBase.js';
import type { NoiseScaling as _deeprelax_v1_NoiseScaling, NoiseScaling__Output as _deeprelax_v1_NoiseScaling__Output } from '../../deeprelax/v1/NoiseScaling.js';
import type { CentreLrScaling as _deeprelax_v1_CentreLrScaling, CentreLrScaling__Output as _deeprelax_v1_CentreLrScaling__Output } from '../../deeprelax/v1/CentreLrScaling.js';

/**
 * Hyper-parameters. Every field is optional: an unset field takes the algorithm's default
 * (ALGORITHMS.md tables), and the job record returned by SubmitJob shows the value used.
 */
export interface HyperParameters {
  /**
   * Outer learning rate eta (the update of x / x^a; EASGD: the workers' local rate).
   */
  'lr'?: (_deeprelax_v1_LrSchedule | null);
  /**
   * Inner (replica / SGLD) learning rate eta'. Unset: the algorithm's default (Parle: tied to lr).
   */
  'innerLr'?: (_deeprelax_v1_LrSchedule | null);
  /**
   * L: inner steps per round.
   */
  'innerSteps'?: (number);
  /**
   * Local-entropy coupling c_gamma = 1/gamma between a replica and its anchor (Parle, DESGD).
   */
  'gamma'?: (_deeprelax_v1_CouplingSchedule | null);
  /**
   * Elastic coupling c_rho of Parle.
   */
  'rho'?: (_deeprelax_v1_CouplingSchedule | null);
  /**
   * Langevin noise epsilon; 0 for Parle and EASGD.
   */
  'noise'?: (number | string);
  /**
   * Momentum mu (torch-style, dampening 0); EAMSGD: the workers' momentum delta.
   */
  'momentum'?: (number | string);
  'nesterov'?: (boolean);
  /**
   * Coupled L2 weight decay lambda.
   */
  'weightDecay'?: (number | string);
  /**
   * Minibatch size m.
   */
  'batchSize'?: (number);
  /**
   * EASGD communication period tau: local steps between exchanges.
   */
  'tau'?: (number);
  /**
   * EASGD moving rate alpha (beta / p in the paper).
   */
  'alpha'?: (number | string);
  /**
   * Weight of the old average in the running mean of the inner iterates (code name beta1; 0.75).
   */
  'beta1'?: (number | string);
  /**
   * Momentum of the inner loop when it differs from `momentum`.
   */
  'innerMomentum'?: (number | string);
  /**
   * Restart the inner variable (Parle's z^a, DESGD's y_i) from its anchor every round.
   */
  'resetInner'?: (boolean);
  'outerBase'?: (_deeprelax_v1_OuterBase);
  'noiseScaling'?: (_deeprelax_v1_NoiseScaling);
  'centreLrScaling'?: (_deeprelax_v1_CentreLrScaling);
  '_innerSteps'?: "innerSteps";
  '_noise'?: "noise";
  '_momentum'?: "momentum";
  '_nesterov'?: "nesterov";
  '_weightDecay'?: "weightDecay";
  '_batchSize'?: "batchSize";
  '_tau'?: "tau";
  '_alpha'?: "alpha";
  '_beta1'?: "beta1";
  '_innerMomentum'?: "innerMomentum";
  '_resetInner'?: "resetInner";
}

/**
 * Hyper-parameters. Every field is optional: an unset field takes the algorithm's default
 * (ALGORITHMS.md tables), and the job record returned by SubmitJob shows the value used.
 */
export interface HyperParameters__Output {
  /**
   * Outer learning rate eta (the update of x / x^a; EASGD: the workers' local rate).
   */
  'lr': (_deeprelax_v1_LrSchedule__Output | null);
  /**
   * Inner (replica / SGLD) learning rate eta'. Unset: the algorithm's default (Parle: tied to lr).
   */
  'innerLr': (_deeprelax_v1_LrSchedule__Output | null);
  /**
   * L: inner steps per round.
   */
  'innerSteps'?: (number);
  /**
   * Local-entropy coupling c_gamma = 1/gamma between a replica and its anchor (Parle, DESGD).
   */
  'gamma': (_deeprelax_v1_CouplingSchedule__Output | null);
  /**
   * Elastic coupling c_rho of Parle.
   */
  'rho': (_deeprelax_v1_CouplingSchedule__Output | null);
  /**
   * Langevin noise epsilon; 0 for Parle and EASGD.
   */
  'noise'?: (number);
  /**
   * Momentum mu (torch-style, dampening 0); EAMSGD: the workers' momentum delta.
   */
  'momentum'?: (number);
  'nesterov'?: (boolean);
  /**
   * Coupled L2 weight decay lambda.
   */
  'weightDecay'?: (number);
  /**
   * Minibatch size m.
   */
  'batchSize'?: (number);
  /**
   * EASGD communication period tau: local steps between exchanges.
   */
  'tau'?: (number);
  /**
   * EASGD moving rate alpha (beta / p in the paper).
   */
  'alpha'?: (number);
  /**
   * Weight of the old average in the running mean of the inner iterates (code name beta1; 0.75).
   */
  'beta1'?: (number);
  /**
   * Momentum of the inner loop when it differs from `momentum`.
   */
  'innerMomentum'?: (number);
  /**
   * Restart the inner variable (Parle's z^a, DESGD's y_i) from its anchor every round.
   */
  'resetInner'?: (boolean);
  'outerBase': (_deeprelax_v1_OuterBase__Output);
  'noiseScaling': (_deeprelax_v1_NoiseScaling__Output);
  'centreLrScaling': (_deeprelax_v1_CentreLrScaling__Output);
  '_innerSteps'?: "innerSteps";
  '_noise'?: "noise";
  '_momentum'?: "momentum";
  '_nesterov'?: "nesterov";
  '_weightDecay'?: "weightDecay";
  '_batchSize'?: "batchSize";
  '_tau'?: "tau";
  '_alpha'?: "alpha";
  '_beta1'?: "beta1";
  '_innerMomentum'?: "innerMomentum";
  '_resetInner'?: "resetInner";
}
