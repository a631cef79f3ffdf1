// Original file: proto/deeprelax/v1/jobs.proto

/**
 * How distributed ESGD scales its centre step (ALGORITHMS.md §2.8).
 */
export const CentreLrScaling = {
  /**
   * Not set: NONE, the dist-ESGD preset's convention, whether or not the job sets its own lr.
   */
  CENTRE_LR_SCALING_UNSPECIFIED: 'CENTRE_LR_SCALING_UNSPECIFIED',
  /**
   * x <- x - eta g (x - mean mu), the SDE discretisation.
   */
  CENTRE_LR_SCALING_COUPLING: 'CENTRE_LR_SCALING_COUPLING',
  /**
   * x <- x - eta (x - mean mu), g absorbed into eta (Entropy-SGD code convention).
   */
  CENTRE_LR_SCALING_NONE: 'CENTRE_LR_SCALING_NONE',
} as const;

/**
 * How distributed ESGD scales its centre step (ALGORITHMS.md §2.8).
 */
export type CentreLrScaling =
  /**
   * Not set: NONE, the dist-ESGD preset's convention, whether or not the job sets its own lr.
   */
  | 'CENTRE_LR_SCALING_UNSPECIFIED'
  | 0
  /**
   * x <- x - eta g (x - mean mu), the SDE discretisation.
   */
  | 'CENTRE_LR_SCALING_COUPLING'
  | 1
  /**
   * x <- x - eta (x - mean mu), g absorbed into eta (Entropy-SGD code convention).
   */
  | 'CENTRE_LR_SCALING_NONE'
  | 2

/**
 * How distributed ESGD scales its centre step (ALGORITHMS.md §2.8).
 */
export type CentreLrScaling__Output = typeof CentreLrScaling[keyof typeof CentreLrScaling]
