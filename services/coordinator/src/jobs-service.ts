// The JobService (users: CLI, clients): submit, get, list, cancel, watch, fetch weights, workers.
import {
  FailedPreconditionError,
  fetchWeightsHandler,
  InvalidArgumentError,
  isTerminalJobState,
  serverStream,
  unary,
  type JobEvent,
  type JobServiceHandlers,
  type JobState__Output,
  type NamedTensor,
} from '@deeprelax/rpc';
import { isJobState, isTerminalState, type JobRecord, type JobState } from '@deeprelax/store';
import { readCheckpoint } from './checkpoint.js';
import { seqOfStreamId, streamIdOfSeq, toJob, toJobEvent, toWorkerInfo, wireState } from './convert.js';
import type { Coordinator } from './coordinator.js';
import { viaStore } from './errors.js';
import { decodeSpec } from './spec.js';

const DEFAULT_PAGE = 100;
const MAX_PAGE = 1000;

async function jobMessage(c: Coordinator, r: JobRecord) {
  const checkpoint = await c.store.latestCheckpoint(r.id).catch(() => null);
  return toJob(r, { runtime: c.runtimes.get(r.id) ?? null, checkpoint, plan: await c.planFor(r) });
}

function storeState(s: JobState__Output, field: string): JobState {
  const name = String(s).replace(/^JOB_STATE_/, '').toLowerCase();
  if (!isJobState(name)) throw new InvalidArgumentError(field, `unknown job state ${String(s)}`);
  return name;
}

export function jobServiceHandlers(c: Coordinator): JobServiceHandlers {
  return {
    SubmitJob: unary(async (req) => {
      const rec = await c.submit(req.spec, req.requestId);
      return jobMessage(c, rec);
    }),

    GetJob: unary(async (req) => jobMessage(c, await c.jobRecord(req.jobId))),

    ListJobs: unary(async (req) => {
      const states = req.states.map((s, i) => storeState(s, `states[${i}]`));
      const size = req.pageSize ? Math.min(req.pageSize, MAX_PAGE) : DEFAULT_PAGE;
      let offset = 0;
      if (req.pageToken) {
        offset = Number(req.pageToken);
        if (!Number.isInteger(offset) || offset < 0) throw new InvalidArgumentError('page_token', 'not a token of this server');
      }
      const all = await viaStore(() => c.store.listJobs(states.length > 0 ? { states } : {}));
      all.reverse(); // newest first
      const page = all.slice(offset, offset + size);
      return {
        jobs: await Promise.all(page.map((r) => jobMessage(c, r))),
        nextPageToken: offset + size < all.length ? String(offset + size) : '',
      };
    }),

    CancelJob: unary(async (req) => {
      await c.jobRecord(req.jobId);
      return jobMessage(c, await c.cancel(req.jobId, req.reason));
    }),

    WatchJob: serverStream(async function* (req, _call, signal): AsyncGenerator<JobEvent> {
      const rec = await c.jobRecord(req.jobId);
      const filter = { logs: req.logs, workerProgress: req.workerProgress };
      let errorOf = rec.error;
      const errorLookup = () => errorOf;
      let after: string | null;
      if (req.afterSeq > 0) {
        after = streamIdOfSeq(req.afterSeq);
      } else {
        // Find the stream's end, then start with the current status.
        after = null;
        for (;;) {
          const page = await viaStore(() => c.store.readJobEvents(rec.id, { after, limit: 1000 }));
          if (page.length === 0) break;
          after = page[page.length - 1]!.id;
          if (page.length < 1000) break;
        }
        yield {
          seq: after ? seqOfStreamId(after) : 0,
          jobId: rec.id,
          timeUnixMs: Date.now(),
          status: {
            state: wireState(rec.state),
            previous: 'JOB_STATE_UNSPECIFIED',
            message: 'current state',
            error: rec.error ? { code: rec.error.code, message: rec.error.message, field: '' } : null,
          },
        };
        if (isTerminalState(rec.state)) return;
      }
      if (isTerminalState(rec.state)) {
        // Replay what is left after `after`; the terminal event is in it (or already seen).
        const rest = await viaStore(() => c.store.readJobEvents(rec.id, { after }));
        for (const e of rest) {
          const ev = toJobEvent(rec.id, e, filter, errorLookup);
          if (ev) yield ev;
        }
        return;
      }
      for await (const e of c.store.watchJobEvents(rec.id, { after, signal })) {
        if (e.kind === 'job.state' && (e.data as { to?: string })?.to === 'failed') {
          errorOf = (await c.store.getJob(rec.id).catch(() => null))?.error ?? null;
        }
        const ev = toJobEvent(rec.id, e, filter, errorLookup);
        if (ev) yield ev;
        if (ev?.status && isTerminalJobState(ev.status.state as JobState__Output)) return;
      }
    }),

    FetchWeights: fetchWeightsHandler(async (req) => {
      const rec = await c.jobRecord(req.jobId);
      const spec = decodeSpec(rec.spec);
      const rt = c.runtimes.get(rec.id);
      let x: Float32Array;
      let buffers: Float32Array | null;
      let round: number;
      if (rt) {
        x = rt.copyOfX(); // the download outlives this call: not the live (recycled) x
        buffers = rt.buffers;
        round = rt.round;
      } else {
        const ck = await viaStore(() => c.store.latestCheckpoint(rec.id));
        if (!ck) {
          throw new FailedPreconditionError(`job ${rec.id} (${rec.state}) has no weights yet`, { reason: 'no-weights' });
        }
        const data = await readCheckpoint(ck.location).catch((err: unknown) => {
          throw new FailedPreconditionError(`the checkpoint of job ${rec.id} cannot be read: ${(err as Error).message}`, { reason: 'checkpoint' });
        });
        x = data.x;
        buffers = data.buffers;
        round = data.round;
      }
      const tensors: NamedTensor[] = [{ name: 'x', values: x }];
      if (req.includeBuffers && buffers && buffers.length > 0) tensors.push({ name: 'buffers', values: buffers });
      return { header: { jobId: rec.id, round, model: spec.model, state: wireState(rec.state) }, tensors };
    }),

    ListWorkers: unary(async (req) => {
      const live = await viaStore(() => c.store.listLiveWorkers());
      const list = req.jobId ? live.filter((w) => w.jobId === req.jobId) : live;
      return {
        workers: list.map((w) => {
          const e = c.workers.get(w.id);
          const rt = w.jobId ? c.runtimes.get(w.jobId) : undefined;
          const m = rt?.members.get(w.id);
          return toWorkerInfo(w, e ? { state: e.state, replica: m?.replica ?? -1, progress: e.progress } : null);
        }),
      };
    }),
  };
}
