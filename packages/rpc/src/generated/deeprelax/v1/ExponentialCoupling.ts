// Original file: proto/deeprelax/v1/jobs.proto


export interface ExponentialCoupling {
  'g0'?: (number | string);
  'g1'?: (number | string);
}

export interface ExponentialCoupling__Output {
  'g0': (number);
  'g1': (number);
}
