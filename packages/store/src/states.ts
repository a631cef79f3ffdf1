/**
 * The job lifecycle as an explicit state machine. {@link JOB_TRANSITIONS} is the one written-down
 * table of legal moves; both store implementations (and the Redis Lua scripts, which receive the
 * allowed source states as arguments) consult it and nothing else.
 */

export const JOB_STATES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type JobState = (typeof JOB_STATES)[number];

/**
 * from state -> states it may move to. Anything not listed is an IllegalTransitionError.
 *
 * | from      | to                                   | when                                           |
 * |-----------|--------------------------------------|------------------------------------------------|
 * | queued    | running                              | its minimum number of workers is there         |
 * | queued    | cancelled                            | user cancels before it starts                  |
 * | queued    | failed                               | spec rejected / cannot be scheduled            |
 * | running   | succeeded                            | training finished                              |
 * | running   | failed                               | unrecoverable error                            |
 * | running   | cancelled                            | user cancels a running job                     |
 * | running   | queued                               | requeued: workers fell below the minimum, or a |
 * |           |                                      | coordinator gave it up; it keeps its original  |
 * |           |                                      | submission order in the queue                  |
 * | succeeded | (terminal)                           |                                                |
 * | failed    | (terminal)                           |                                                |
 * | cancelled | (terminal)                           |                                                |
 */
export const JOB_TRANSITIONS: Readonly<Record<JobState, readonly JobState[]>> = Object.freeze({
  queued: Object.freeze(['running', 'cancelled', 'failed'] as const),
  running: Object.freeze(['succeeded', 'failed', 'cancelled', 'queued'] as const),
  succeeded: Object.freeze([] as const),
  failed: Object.freeze([] as const),
  cancelled: Object.freeze([] as const),
});

/** States in which a job accepts worker assignments. */
export const ACTIVE_JOB_STATES: readonly JobState[] = Object.freeze(['queued', 'running'] as const);

export function isJobState(s: unknown): s is JobState {
  return typeof s === 'string' && (JOB_STATES as readonly string[]).includes(s);
}

export function isLegalTransition(from: JobState, to: JobState): boolean {
  return JOB_TRANSITIONS[from].includes(to);
}

export function isTerminalState(s: JobState): boolean {
  return JOB_TRANSITIONS[s].length === 0;
}

/** The states from which `to` can be reached in one step. */
export function sourcesOf(to: JobState): JobState[] {
  return JOB_STATES.filter((from) => JOB_TRANSITIONS[from].includes(to));
}
