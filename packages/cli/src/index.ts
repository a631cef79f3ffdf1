export { compileTrainConfig, parseLrSchedule, UsageError, type TrainFlags, type TrainRunConfig } from './train/config.js';
export { runTraining, type TrainRunResult } from './train/run.js';
