// Original file: proto/deeprelax/v1/coordinator.proto

import type { Long } from '@grpc/proto-loader';

export interface LeaveRequest {
  'workerId'?: (string);
  'fencingToken'?: (number | string | Long);
  'reason'?: (string);
}

export interface LeaveRequest__Output {
  'workerId': (string);
  'fencingToken': (number);
  'reason': (string);
}
