// Original file: proto/deeprelax/v1/jobs.proto

import type { LrRow as _deeprelax_v1_LrRow, LrRow__Output as _deeprelax_v1_LrRow__Output } from '../../deeprelax/v1/LrRow.js';

export interface PiecewiseLr {
  'rows'?: (_deeprelax_v1_LrRow)[];
}

export interface PiecewiseLr__Output {
  'rows': (_deeprelax_v1_LrRow__Output)[];
}
