// Original file: proto/deeprelax/v1/jobs.proto


export interface StepDecayLr {
  'lr0'?: (number | string);
  'factor'?: (number | string);
  'everyEpochs'?: (number);
}

export interface StepDecayLr__Output {
  'lr0': (number);
  'factor': (number);
  'everyEpochs': (number);
}
