// The raw loopback TCP reference of the exchange benches: echoes every 8-byte-length-prefixed
// message back once it is fully received, after copying it out like a receiver would. It receives
// into one buffer reused from message to message: a fresh multi-MB buffer per message costs more
// in page faults (10-20 ms per 7.5 MB on these VMs) than the transfer, and the reference should be
// the best loopback TCP can do, not the cost of an allocator.
//
//   node --import tsx bench/echo-server.ts PORT     (prints "ready" once listening)
import { createServer, type Server, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';

/** Serves the echo protocol on one connection. */
export function echoSocket(sock: Socket): void {
  sock.setNoDelay(true);
  let buf = Buffer.allocUnsafe(0);
  const hdrIn = Buffer.alloc(8);
  let hdrHave = 0;
  let need = -1;
  let have = 0;
  sock.on('data', (d: Buffer) => {
    let off = 0;
    while (off < d.length) {
      if (need < 0) {
        const k = Math.min(8 - hdrHave, d.length - off);
        d.copy(hdrIn, hdrHave, off, off + k);
        hdrHave += k;
        off += k;
        if (hdrHave < 8) return;
        need = Number(hdrIn.readBigUInt64LE(0));
        if (buf.length < need) buf = Buffer.allocUnsafe(need);
        have = 0;
      }
      const k = Math.min(need - have, d.length - off);
      d.copy(buf, have, off, off + k);
      have += k;
      off += k;
      if (have === need) {
        const hdr = Buffer.alloc(8);
        hdr.writeBigUInt64LE(BigInt(need));
        sock.write(hdr);
        // The client sends the next message only after the whole echo arrived, so `buf` is not
        // overwritten while it is still being written.
        sock.write(buf.subarray(0, need));
        need = -1;
        hdrHave = 0;
      }
    }
  });
}

/** An echo server on 127.0.0.1:port (0: any free port). */
export async function startEchoServer(port = 0): Promise<{ server: Server; port: number }> {
  const server = createServer(echoSocket);
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  return { server, port: (server.address() as { port: number }).port };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await startEchoServer(Number(process.argv[2] ?? 0));
  process.stdout.write('ready\n');
}
