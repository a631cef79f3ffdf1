// Original file: proto/deeprelax/v1/jobs.proto


export interface CappedCoupling {
  'g0'?: (number | string);
  'rate'?: (number | string);
  'cap'?: (number | string);
}

export interface CappedCoupling__Output {
  'g0': (number);
  'rate': (number);
  'cap': (number);
}
