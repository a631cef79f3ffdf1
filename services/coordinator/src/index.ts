// @deeprelax/coordinator: the gRPC coordinator of deeprelax (jobs, membership, reference weights x,
// checkpoints, metrics). PROTOCOL.md is the contract with workers and clients; README.md the
// configuration.
export { startCoordinator, type StartOptions, type CoordinatorHandle } from './start.js';
export { configFromEnv, coordinatorConfig, ConfigSchema, ConfigError, ENV_VARS, type CoordinatorConfig, type CoordinatorConfigInput } from './config.js';
export { Coordinator, type WorkerEntry } from './coordinator.js';
export { JobRuntime, type Member } from './job-runtime.js';
export {
  resolveJobSpec,
  encodeSpec,
  decodeSpec,
  lrSpecOf,
  lrWireOf,
  scopingSpecOf,
  epochAt,
  effectiveEpochAt,
  epochIndexOfRound,
  type JobPlan,
  type ResolvedJob,
  type CentreKind,
} from './spec.js';
export {
  desgdCentreChecked,
  easgdAsyncApply,
  easgdSyncCentre,
  easgdSyncCentreChecked,
  elasticDifference,
  parleMeanChecked,
} from './centre.js';
export { readCheckpoint, writeCheckpoint, checkpointPath, type CheckpointData } from './checkpoint.js';
export { DatasetCatalog } from './datasets.js';
export { CoordinatorMetrics } from './metrics.js';
