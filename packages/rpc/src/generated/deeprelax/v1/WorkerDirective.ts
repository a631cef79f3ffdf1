// Original file: proto/deeprelax/v1/coordinator.proto

export const WorkerDirective = {
  /**
   * Keep doing what you do.
   */
  WORKER_DIRECTIVE_UNSPECIFIED: 'WORKER_DIRECTIVE_UNSPECIFIED',
  /**
   * A new assignment is attached: start it.
   */
  WORKER_DIRECTIVE_START: 'WORKER_DIRECTIVE_START',
  /**
   * Abandon the current job (finished, cancelled, or the replica was removed) and go idle.
   */
  WORKER_DIRECTIVE_STOP: 'WORKER_DIRECTIVE_STOP',
} as const;

export type WorkerDirective =
  /**
   * Keep doing what you do.
   */
  | 'WORKER_DIRECTIVE_UNSPECIFIED'
  | 0
  /**
   * A new assignment is attached: start it.
   */
  | 'WORKER_DIRECTIVE_START'
  | 1
  /**
   * Abandon the current job (finished, cancelled, or the replica was removed) and go idle.
   */
  | 'WORKER_DIRECTIVE_STOP'
  | 2

export type WorkerDirective__Output = typeof WorkerDirective[keyof typeof WorkerDirective]
