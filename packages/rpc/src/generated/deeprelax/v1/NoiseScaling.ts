// Original file: proto/deeprelax/v1/jobs.proto

/**
 * How the Langevin noise epsilon maps to a temperature (ALGORITHMS.md §2.2).
 */
export const NoiseScaling = {
  /**
   * As all reference codes: T = epsilon^2.
   */
  NOISE_SCALING_UNSPECIFIED: 'NOISE_SCALING_UNSPECIFIED',
  NOISE_SCALING_CODE: 'NOISE_SCALING_CODE',
  /**
   * As the paper's Algorithm 1: T = epsilon^2 / 2.
   */
  NOISE_SCALING_PAPER: 'NOISE_SCALING_PAPER',
} as const;

/**
 * How the Langevin noise epsilon maps to a temperature (ALGORITHMS.md §2.2).
 */
export type NoiseScaling =
  /**
   * As all reference codes: T = epsilon^2.
   */
  | 'NOISE_SCALING_UNSPECIFIED'
  | 0
  | 'NOISE_SCALING_CODE'
  | 1
  /**
   * As the paper's Algorithm 1: T = epsilon^2 / 2.
   */
  | 'NOISE_SCALING_PAPER'
  | 2

/**
 * How the Langevin noise epsilon maps to a temperature (ALGORITHMS.md §2.2).
 */
export type NoiseScaling__Output = typeof NoiseScaling[keyof typeof NoiseScaling]
