// Original file: proto/deeprelax/v1/jobs.proto

import type { WorkerInfo as _deeprelax_v1_WorkerInfo, WorkerInfo__Output as _deeprelax_v1_WorkerInfo__Output } from '../../deeprelax/v1/WorkerInfo.js';

export interface ListWorkersResponse {
  'workers'?: (_deeprelax_v1_WorkerInfo)[];
}

export interface ListWorkersResponse__Output {
  'workers': (_deeprelax_v1_WorkerInfo__Output)[];
}
