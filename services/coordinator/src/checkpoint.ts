// Checkpoint files: x, the BN buffers and the centre's bookkeeping of one job at a round boundary.
//
// Layout: "DRCKPT01" (8 bytes), u32 LE length of the JSON header, the header (UTF-8), then the
// tensors' raw little-endian float32 bytes in header order. Each tensor has its CRC-32. Written to
// a temporary file in the same directory, fsynced, renamed over the final name, and the directory
// fsynced, so a reader sees either the old file or the complete new one.
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { crc32 } from '@deeprelax/rpc';

const MAGIC = Buffer.from('DRCKPT01', 'ascii');

export interface CheckpointState {
  jobId: string;
  /** Sync: rounds completed (the round the job resumes at). Async: exchanges applied. */
  round: number;
  /** Wall-clock ms the job had run when the checkpoint was taken. */
  wallMs: number;
  /** Round of the last evaluation and of the last checkpoint, for the interval bookkeeping. */
  lastEvalRound: number;
  /** Samples reported by the replicas so far. */
  samples: number;
  /** Anything else the job wants back (JSON). */
  extra?: Record<string, unknown>;
}

export interface CheckpointData extends CheckpointState {
  x: Float32Array;
  buffers: Float32Array | null;
}

interface Header extends CheckpointState {
  version: 1;
  createdAt: number;
  tensors: { name: string; length: number; crc32: number }[];
}

function bytesOf(v: Float32Array): Buffer {
  const b = Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] === 1) return b;
  // Big-endian host: swap to little-endian.
  const c = Buffer.from(b);
  c.swap32();
  return c;
}

/** Path of the checkpoint of `jobId` at `round` under `dir`. */
export function checkpointPath(dir: string, jobId: string, round: number): string {
  return join(dir, jobId, `round-${String(round).padStart(8, '0')}.ckpt`);
}

/** Writes atomically; returns the path. */
export async function writeCheckpoint(dir: string, data: CheckpointData): Promise<string> {
  const path = checkpointPath(dir, data.jobId, data.round);
  await mkdir(dirname(path), { recursive: true });
  const tensors: { name: string; v: Float32Array }[] = [{ name: 'x', v: data.x }];
  if (data.buffers && data.buffers.length > 0) tensors.push({ name: 'buffers', v: data.buffers });
  const raws = tensors.map((t) => bytesOf(t.v));
  const header: Header = {
    version: 1,
    createdAt: Date.now(),
    jobId: data.jobId,
    round: data.round,
    wallMs: data.wallMs,
    lastEvalRound: data.lastEvalRound,
    samples: data.samples,
    ...(data.extra ? { extra: data.extra } : {}),
    tensors: tensors.map((t, i) => ({ name: t.name, length: t.v.length, crc32: crc32(raws[i]!) })),
  };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32LE(json.length, 0);
  const tmp = `${path}.tmp-${process.pid}-${Date.now()}`;
  const fh = await open(tmp, 'w');
  try {
    await fh.writev([MAGIC, len, json, ...raws]);
    await fh.sync();
  } catch (err) {
    await fh.close().catch(() => {});
    await rm(tmp, { force: true });
    throw err;
  }
  await fh.close();
  await rename(tmp, path);
  try {
    const d = await open(dirname(path), 'r');
    await d.sync().catch(() => {});
    await d.close();
  } catch {
    // Directory fsync is best effort (not supported everywhere).
  }
  return path;
}

export class CheckpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointError';
  }
}

/** Reads and verifies a checkpoint (magic, sizes, checksums). */
export async function readCheckpoint(path: string): Promise<CheckpointData> {
  const buf = await readFile(path);
  if (buf.length < 12 || !buf.subarray(0, 8).equals(MAGIC)) throw new CheckpointError(`${path}: not a deeprelax checkpoint`);
  const hl = buf.readUInt32LE(8);
  if (12 + hl > buf.length) throw new CheckpointError(`${path}: truncated header`);
  let header: Header;
  try {
    header = JSON.parse(buf.subarray(12, 12 + hl).toString('utf8')) as Header;
  } catch {
    throw new CheckpointError(`${path}: unreadable header`);
  }
  let off = 12 + hl;
  const out = new Map<string, Float32Array>();
  for (const t of header.tensors) {
    const nb = t.length * 4;
    if (off + nb > buf.length) throw new CheckpointError(`${path}: truncated tensor ${t.name}`);
    const raw = buf.subarray(off, off + nb);
    if (crc32(raw) !== t.crc32) throw new CheckpointError(`${path}: checksum mismatch in tensor ${t.name}`);
    const values = new Float32Array(t.length);
    const bytes = Buffer.from(values.buffer);
    raw.copy(bytes);
    if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) bytes.swap32();
    out.set(t.name, values);
    off += nb;
  }
  const x = out.get('x');
  if (!x) throw new CheckpointError(`${path}: no tensor x`);
  return {
    jobId: header.jobId,
    round: header.round,
    wallMs: header.wallMs,
    lastEvalRound: header.lastEvalRound,
    samples: header.samples ?? 0,
    ...(header.extra ? { extra: header.extra } : {}),
    x,
    buffers: out.get('buffers') ?? null,
  };
}

/** Deletes a checkpoint file (missing is fine). */
export async function removeCheckpoint(path: string): Promise<void> {
  await rm(path, { force: true });
}
