// Original file: proto/deeprelax/v1/jobs.proto

import type { LogLevel as _deeprelax_v1_LogLevel, LogLevel__Output as _deeprelax_v1_LogLevel__Output } from '../../deeprelax/v1/LogLevel.js';

export interface LogEvent {
  'level'?: (_deeprelax_v1_LogLevel);
  'message'?: (string);
  /**
   * Empty for the coordinator's own lines.
   */
  'workerId'?: (string);
}

export interface LogEvent__Output {
  'level': (_deeprelax_v1_LogLevel__Output);
  'message': (string);
  /**
   * Empty for the coordinator's own lines.
   */
  'workerId': (string);
}
