// Original file: proto/deeprelax/v1/jobs.proto

/**
 * Where an outer step starts (Parle, ALGORITHMS.md §2.7 quirk 2).
 */
export const OuterBase = {
  /**
   * From x^a (the canonical step).
   */
  OUTER_BASE_UNSPECIFIED: 'OUTER_BASE_UNSPECIFIED',
  OUTER_BASE_X: 'OUTER_BASE_X',
  /**
   * From the last inner iterate y^a_L, as [PARLE-CODE] parle_mpi.py.
   */
  OUTER_BASE_INNER: 'OUTER_BASE_INNER',
} as const;

/**
 * Where an outer step starts (Parle, ALGORITHMS.md §2.7 quirk 2).
 */
export type OuterBase =
  /**
   * From x^a (the canonical step).
   */
  | 'OUTER_BASE_UNSPECIFIED'
  | 0
  | 'OUTER_BASE_X'
  | 1
  /**
   * From the last inner iterate y^a_L, as [PARLE-CODE] parle_mpi.py.
   */
  | 'OUTER_BASE_INNER'
  | 2

/**
 * Where an outer step starts (Parle, ALGORITHMS.md §2.7 quirk 2).
 */
export type OuterBase__Output = typeof OuterBase[keyof typeof OuterBase]
