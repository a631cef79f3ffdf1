/**
 * Every Redis key the store uses is built here and nowhere else.
 *
 * Layout under a configurable prefix P (default "deeprelax:"; tests use a fresh random one):
 *
 * | key                         | type   | contents                                                 |
 * |-----------------------------|--------|----------------------------------------------------------|
 * | P seq                       | string | INCR counter: job submission order (the queue's score)   |
 * | P fencing                   | string | INCR counter: every fencing token, jobs and workers alike |
 * | P jobs:<state>              | zset   | job ids in that state, score = seq (jobs:queued = queue) |
 * | P job:<id>                  | hash   | the job record (spec as raw bytes)                       |
 * | P job:<id>:workers          | set    | worker ids assigned to the job                           |
 * | P job:<id>:checkpoint       | hash   | latest checkpoint: round, location, meta, recordedAt     |
 * | P job:<id>:metrics          | stream | metric records, XADD MAXLEN ~ metricsMaxLen              |
 * | P job:<id>:events           | stream | job events, XADD MAXLEN ~ eventsMaxLen                   |
 * | P worker:<id>               | hash   | the worker record (lease deadline, token, job)           |
 * | P workers:leases            | zset   | worker id -> lease deadline (ms); live = score > now     |
 *
 * Lua scripts that discover ids at run time (a job's workers, a worker's job) derive those keys
 * from the stems in {@link RunStoreKeys.stems}, passed to them as ARGV, so the shapes still live
 * only in this file. For Redis Cluster, give a prefix with a hash tag (e.g. "{deeprelax}:") so
 * all keys share one slot, as multi-key scripts require.
 */
import { JOB_STATES, type JobState } from '../states.js';

const JOB_WORKERS_SUFFIX = ':workers';
const JOB_EVENTS_SUFFIX = ':events';

export class RunStoreKeys {
  constructor(readonly prefix: string) {}

  seq(): string {
    return `${this.prefix}seq`;
  }
  fencing(): string {
    return `${this.prefix}fencing`;
  }
  jobsInState(state: JobState): string {
    return `${this.prefix}jobs:${state}`;
  }
  /** All five state sets, in JOB_STATES order. */
  allStateSets(): string[] {
    return JOB_STATES.map((s) => this.jobsInState(s));
  }
  job(id: string): string {
    return `${this.prefix}job:${id}`;
  }
  jobWorkers(id: string): string {
    return `${this.job(id)}${JOB_WORKERS_SUFFIX}`;
  }
  jobCheckpoint(id: string): string {
    return `${this.job(id)}:checkpoint`;
  }
  jobMetrics(id: string): string {
    return `${this.job(id)}:metrics`;
  }
  jobEvents(id: string): string {
    return `${this.job(id)}${JOB_EVENTS_SUFFIX}`;
  }
  worker(id: string): string {
    return `${this.prefix}worker:${id}`;
  }
  workerLeases(): string {
    return `${this.prefix}workers:leases`;
  }

  /** For scripts: job(id) = jobStem .. id; jobWorkers(id) = jobStem .. id .. workersSuffix; etc. */
  stems(): { jobStem: string; workerStem: string; workersSuffix: string; eventsSuffix: string } {
    return {
      jobStem: `${this.prefix}job:`,
      workerStem: `${this.prefix}worker:`,
      workersSuffix: JOB_WORKERS_SUFFIX,
      eventsSuffix: JOB_EVENTS_SUFFIX,
    };
  }

  /** Glob matching every key of this namespace (for tests and tooling that drop a namespace). */
  pattern(): string {
    return `${this.prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
  }
}
