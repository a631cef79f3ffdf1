// Original file: proto/deeprelax/v1/coordinator.proto

import type { Long } from '@grpc/proto-loader';

export interface Lease {
  /**
   * Increases on every (re-)registration of any worker; the coordinator accepts only the
   * latest token for a worker id.
   */
  'fencingToken'?: (number | string | Long);
  'ttlMs'?: (number);
  'expiresUnixMs'?: (number | string | Long);
  /**
   * The worker should heartbeat this often.
   */
  'heartbeatIntervalMs'?: (number);
}

export interface Lease__Output {
  /**
   * Increases on every (re-)registration of any worker; the coordinator accepts only the
   * latest token for a worker id.
   */
  'fencingToken': (number);
  'ttlMs': (number);
  'expiresUnixMs': (number);
  /**
   * The worker should heartbeat this often.
   */
  'heartbeatIntervalMs': (number);
}
