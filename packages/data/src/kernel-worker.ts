// Worker-thread entry for KernelPool: runs one dense kernel per message on shared memory.
import { parentPort } from 'node:worker_threads';
import { applySymmetricRows, gramUpperRows } from './kernels.js';
import { symmetricEigen } from './eigen.js';
import type { KernelRequest, KernelReply } from './pool.js';

const port = parentPort;
if (!port) throw new Error('kernel-worker must run in a worker thread');

port.on('message', (req: KernelRequest) => {
  let reply: KernelReply;
  try {
    switch (req.op) {
      case 'gram':
        gramUpperRows(req.x, req.d, req.s0, req.s1, req.mean, req.rows, req.g);
        reply = { id: req.id, ok: true };
        break;
      case 'apply':
        applySymmetricRows(req.x, req.d, req.s0, req.s1, req.mean, req.m);
        reply = { id: req.id, ok: true };
        break;
      case 'eigen': {
        const r = symmetricEigen(req.a, req.n);
        port.postMessage({ id: req.id, ok: true, values: r.values, vectors: r.vectors } satisfies KernelReply, [
          r.values.buffer as ArrayBuffer,
          r.vectors.buffer as ArrayBuffer,
        ]);
        return;
      }
    }
  } catch (e) {
    reply = { id: req.id, ok: false, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
  }
  port.postMessage(reply);
});
