// Original file: proto/deeprelax/v1/common.proto

export const WorkerState = {
  WORKER_STATE_UNSPECIFIED: 'WORKER_STATE_UNSPECIFIED',
  /**
   * Registered, waiting for an assignment.
   */
  WORKER_STATE_IDLE: 'WORKER_STATE_IDLE',
  /**
   * Assigned to a job, building model and data, pulling x.
   */
  WORKER_STATE_STARTING: 'WORKER_STATE_STARTING',
  /**
   * Running replica dynamics and exchanging.
   */
  WORKER_STATE_TRAINING: 'WORKER_STATE_TRAINING',
  /**
   * Leaving (SIGTERM) or lease expired.
   */
  WORKER_STATE_LEAVING: 'WORKER_STATE_LEAVING',
} as const;

export type WorkerState =
  | 'WORKER_STATE_UNSPECIFIED'
  | 0
  /**
   * Registered, waiting for an assignment.
   */
  | 'WORKER_STATE_IDLE'
  | 1
  /**
   * Assigned to a job, building model and data, pulling x.
   */
  | 'WORKER_STATE_STARTING'
  | 2
  /**
   * Running replica dynamics and exchanging.
   */
  | 'WORKER_STATE_TRAINING'
  | 3
  /**
   * Leaving (SIGTERM) or lease expired.
   */
  | 'WORKER_STATE_LEAVING'
  | 4

export type WorkerState__Output = typeof WorkerState[keyof typeof WorkerState]
