// Original file: proto/deeprelax/v1/jobs.proto

import type { Long } from '@grpc/proto-loader';

/**
 * How often something happens: every so many epochs, rounds or seconds.
 */
export interface Interval {
  'epochs'?: (number | string);
  'rounds'?: (number | string | Long);
  'seconds'?: (number | string);
  'every'?: "epochs"|"rounds"|"seconds";
}

/**
 * How often something happens: every so many epochs, rounds or seconds.
 */
export interface Interval__Output {
  'epochs'?: (number);
  'rounds'?: (number);
  'seconds'?: (number);
  'every'?: "epochs"|"rounds"|"seconds";
}
