// Original file: proto/deeprelax/v1/jobs.proto


export interface VarianceCoupling {
  'gamma0'?: (number | string);
  'decay'?: (number | string);
}

export interface VarianceCoupling__Output {
  'gamma0': (number);
  'decay': (number);
}
