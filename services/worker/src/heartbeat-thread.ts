// The heartbeat loop in its own thread: the replica dynamics run synchronously on the main thread
// (an inner loop of L steps is one call into core), which for a big model on a CPU can take longer
// than the lease's TTL; heartbeats from here keep the lease alive meanwhile. The main thread sends
// the state to report ('start', 'update', 'beat', 'stop', 'close'); this thread answers every
// heartbeat with its response or its error, which the main thread handles between rounds.
import { parentPort, workerData } from 'node:worker_threads';
import { CoordinatorClient, toRpcError, type ClientTlsConfig, type HeartbeatRequest } from '@deeprelax/rpc';

export interface HeartbeatThreadData {
  address: string;
  token: string | null;
  tls: ClientTlsConfig | null;
}

export type ToThread =
  | { type: 'start'; request: HeartbeatRequest; intervalMs: number; deadlineMs: number }
  | { type: 'update'; request: HeartbeatRequest; intervalMs?: number }
  | { type: 'beat' }
  | { type: 'stop' }
  | { type: 'close' };

export type FromThread =
  | { type: 'response'; response: unknown; sentToken: number }
  | { type: 'error'; code: number; message: string; reason: string | null; sentToken: number };

const port = parentPort;
if (port) {
  const data = workerData as HeartbeatThreadData;
  const client = new CoordinatorClient(data.address, { token: data.token, tls: data.tls });
  let request: HeartbeatRequest | null = null;
  let intervalMs = 3_000;
  let deadlineMs = 10_000;
  let timer: NodeJS.Timeout | null = null;
  let inFlight = false;

  const schedule = () => {
    if (timer) clearTimeout(timer);
    timer = request ? setTimeout(() => void beat(), intervalMs) : null;
  };

  const beat = async () => {
    if (!request || inFlight) return;
    inFlight = true;
    const sent = request;
    try {
      const response = await client.heartbeat(sent, { deadlineMs });
      port.postMessage({ type: 'response', response, sentToken: Number(sent.fencingToken ?? 0) } satisfies FromThread);
    } catch (err) {
      const e = toRpcError(err);
      port.postMessage({ type: 'error', code: e.code, message: e.message, reason: e.reason, sentToken: Number(sent.fencingToken ?? 0) } satisfies FromThread);
    } finally {
      inFlight = false;
      schedule();
    }
  };

  port.on('message', (m: ToThread) => {
    switch (m.type) {
      case 'start':
        request = m.request;
        intervalMs = m.intervalMs;
        deadlineMs = m.deadlineMs;
        schedule();
        break;
      case 'update':
        if (request) request = m.request;
        if (m.intervalMs) intervalMs = m.intervalMs;
        break;
      case 'beat':
        void beat();
        break;
      case 'stop':
        request = null;
        schedule();
        break;
      case 'close':
        request = null;
        if (timer) clearTimeout(timer);
        client.close();
        port.close();
        break;
    }
  });
}
