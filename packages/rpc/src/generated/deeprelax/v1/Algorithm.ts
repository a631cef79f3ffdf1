// Original file: proto/deeprelax/v1/jobs.proto

/**
 * Distributed algorithm; the update rules are in ALGORITHMS.md.
 */
export const Algorithm = {
  ALGORITHM_UNSPECIFIED: 'ALGORITHM_UNSPECIFIED',
  /**
   * Parle (§2.7): replicas run Entropy-SGD inner loops; two reductions per round (mean of z^a,
   * then mean of x^a). Synchronous.
   */
  ALGORITHM_PARLE: 'ALGORITHM_PARLE',
  /**
   * Elastic-averaging SGD (§2.6), synchronous: every worker against the same centre each round.
   */
  ALGORITHM_EASGD: 'ALGORITHM_EASGD',
  /**
   * Elastic-averaging SGD, asynchronous: each worker's elastic update applied on arrival.
   */
  ALGORITHM_EASGD_ASYNC: 'ALGORITHM_EASGD_ASYNC',
  /**
   * Distributed Entropy-SGD: the discretised distributed local-entropy SDE (§2.8). Synchronous.
   */
  ALGORITHM_DESGD: 'ALGORITHM_DESGD',
  /**
   * EASGD with Nesterov momentum delta on the workers (EAMSGD, §2.6), synchronous.
   */
  ALGORITHM_EAMSGD: 'ALGORITHM_EAMSGD',
  /**
   * EAMSGD, asynchronous.
   */
  ALGORITHM_EAMSGD_ASYNC: 'ALGORITHM_EAMSGD_ASYNC',
} as const;

/**
 * Distributed algorithm; the update rules are in ALGORITHMS.md.
 */
export type Algorithm =
  | 'ALGORITHM_UNSPECIFIED'
  | 0
  /**
   * Parle (§2.7): replicas run Entropy-SGD inner loops; two reductions per round (mean of z^a,
   * then mean of x^a). Synchronous.
   */
  | 'ALGORITHM_PARLE'
  | 1
  /**
   * Elastic-averaging SGD (§2.6), synchronous: every worker against the same centre each round.
   */
  | 'ALGORITHM_EASGD'
  | 2
  /**
   * Elastic-averaging SGD, asynchronous: each worker's elastic update applied on arrival.
   */
  | 'ALGORITHM_EASGD_ASYNC'
  | 3
  /**
   * Distributed Entropy-SGD: the discretised distributed local-entropy SDE (§2.8). Synchronous.
   */
  | 'ALGORITHM_DESGD'
  | 4
  /**
   * EASGD with Nesterov momentum delta on the workers (EAMSGD, §2.6), synchronous.
   */
  | 'ALGORITHM_EAMSGD'
  | 5
  /**
   * EAMSGD, asynchronous.
   */
  | 'ALGORITHM_EAMSGD_ASYNC'
  | 6

/**
 * Distributed algorithm; the update rules are in ALGORITHMS.md.
 */
export type Algorithm__Output = typeof Algorithm[keyof typeof Algorithm]
