// Original file: proto/deeprelax/v1/jobs.proto


export interface LrRow {
  'lastEpoch'?: (number);
  'lr'?: (number | string);
}

export interface LrRow__Output {
  'lastEpoch': (number);
  'lr': (number);
}
