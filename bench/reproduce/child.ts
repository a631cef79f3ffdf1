// Child-process entry (forked by pool.ts): receives one CellJob over IPC, runs it, sends progress
// messages back, and exits. The stored run file, not a message, tells the parent that the cell
// finished. If the parent goes away the run is abandoned (it leaves no file, so the next invocation
// runs the cell again).
import { runCell, type CellJob, type CellMessage } from './cell.js';
import { runClusterCell } from './cluster-cell.js';

if (!process.send) {
  process.stderr.write('bench/reproduce/child.ts is started by run.ts (it needs an IPC channel)\n');
  process.exit(2);
}
const send = (m: CellMessage) => {
  if (process.connected) process.send?.(m);
};
let finishing = false;
// After our own disconnect (pending messages are sent by then) exit at once, whatever handles an
// engine keeps open; a disconnect we did not ask for means the parent is gone.
process.on('disconnect', () => process.exit(finishing ? Number(process.exitCode ?? 0) : 3));
process.once('message', (job: CellJob) => {
  (job.cell.runner === 'cluster' ? runClusterCell(job, send) : runCell(job, send))
    .then(() => {
      finishing = true;
      process.disconnect();
    })
    .catch((e: unknown) => {
      const message = e instanceof Error ? (e.stack ?? e.message) : String(e);
      process.stderr.write(`bench/reproduce: cell ${job.cell.key} failed: ${message}\n`);
      send({ type: 'error', key: job.cell.key, message: e instanceof Error ? e.message : String(e) });
      process.exitCode = 1;
      finishing = true;
      process.disconnect();
    });
});
