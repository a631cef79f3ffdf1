// @deeprelax/worker: the gRPC worker of deeprelax. It registers with the coordinator, heartbeats,
// takes an assignment, runs the replica dynamics of packages/core's distributed halves, exchanges
// with the reference weights x, and reports progress. See README.md.
export { startWorker, type WorkerHandle, type StartWorkerOptions, type WorkerStateName } from './worker.js';
export {
  workerConfigFromEnv,
  defaultWorkerConfig,
  workerEnvSchema,
  ConfigError,
  DEFAULT_BACKOFF,
  type WorkerConfig,
  type BackoffConfig,
} from './config.js';
export { planFromAssignment, lrScheduleFromWire, scopingFromWire, PlanError, type JobPlan } from './plan.js';
export { replicaSeed } from './assignment.js';
export { WorkerMetrics } from './metrics.js';
export { Backoff } from './backoff.js';
