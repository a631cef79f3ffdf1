// CRC-32 (IEEE 802.3 polynomial, reflected; the checksum of zlib, gzip and PNG) of tensor bytes.
// Every exchange checksums its bytes at both ends (2 x 7.5 MB per mnistfc exchange on each side),
// so the fastest implementation present is used: @node-rs/crc32 (crc32fast, carry-less multiply,
// ~10 GB/s here), else node:zlib's crc32 (Node >= 20.15, ~3 GB/s), else a slicing-by-8 table
// implementation in TypeScript. All accept a previous value to continue a running checksum, so
// crc32(b, crc32(a)) === crc32(a ++ b), and all give the same values (tested).
import { createRequire } from 'node:module';
import * as zlib from 'node:zlib';

type Crc32Fn = (data: Uint8Array, value?: number) => number;

/** Which implementation crc32() uses: the native addon, zlib's, or the TypeScript tables. */
export type Crc32Implementation = '@node-rs/crc32' | 'node:zlib' | 'typescript';

function loadNodeRs(): Crc32Fn | null {
  if (process.env.DEEPRELAX_CRC32 === 'zlib' || process.env.DEEPRELAX_CRC32 === 'js') return null;
  try {
    // An optional native addon with prebuilt binaries per platform: absent or unloadable (another
    // libc, a platform without a build) it is skipped.
    const mod = createRequire(import.meta.url)('@node-rs/crc32') as { crc32?: unknown };
    return typeof mod.crc32 === 'function' ? (mod.crc32 as Crc32Fn) : null;
  } catch {
    return null;
  }
}

function loadZlib(): Crc32Fn | null {
  if (process.env.DEEPRELAX_CRC32 === 'js') return null;
  return typeof (zlib as { crc32?: unknown }).crc32 === 'function' ? (zlib.crc32 as Crc32Fn) : null;
}

const nodeRsCrc32 = loadNodeRs();
const nativeCrc32: Crc32Fn | null = nodeRsCrc32 ?? loadZlib();

/** The implementation in use (DEEPRELAX_CRC32=zlib or =js picks a slower one, for comparisons). */
export const CRC32_IMPLEMENTATION: Crc32Implementation = nodeRsCrc32
  ? '@node-rs/crc32'
  : nativeCrc32
    ? 'node:zlib'
    : 'typescript';

let tables: Uint32Array[] | null = null;

function makeTables(): Uint32Array[] {
  const t: Uint32Array[] = [];
  for (let k = 0; k < 8; k++) t.push(new Uint32Array(256));
  const t0 = t[0]!;
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let i = 0; i < 8; i++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t0[n] = c >>> 0;
  }
  for (let n = 0; n < 256; n++) {
    let c = t0[n]!;
    for (let k = 1; k < 8; k++) {
      c = t0[c & 0xff]! ^ (c >>> 8);
      t[k]![n] = c >>> 0;
    }
  }
  return t;
}

/** Portable CRC-32 (slicing-by-8). Same results as zlib.crc32. */
export function crc32Js(data: Uint8Array, previous = 0): number {
  if (!tables) tables = makeTables();
  const [t0, t1, t2, t3, t4, t5, t6, t7] = tables as [
    Uint32Array, Uint32Array, Uint32Array, Uint32Array,
    Uint32Array, Uint32Array, Uint32Array, Uint32Array,
  ];
  let c = ~previous >>> 0;
  let i = 0;
  const n = data.length;
  const end8 = n - (n % 8);
  while (i < end8) {
    const a = (c ^ (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24))) >>> 0;
    c =
      t7[a & 0xff]! ^
      t6[(a >>> 8) & 0xff]! ^
      t5[(a >>> 16) & 0xff]! ^
      t4[a >>> 24]! ^
      t3[data[i + 4]!]! ^
      t2[data[i + 5]!]! ^
      t1[data[i + 6]!]! ^
      t0[data[i + 7]!]!;
    i += 8;
  }
  while (i < n) c = t0[(c ^ data[i++]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

/** CRC-32 of `data`, continuing from `previous` (0 to start). Unsigned 32-bit result. */
export function crc32(data: Uint8Array, previous = 0): number {
  return nativeCrc32 ? nativeCrc32(data, previous) >>> 0 : crc32Js(data, previous);
}

/** Whether a native implementation (@node-rs/crc32 or zlib) is in use. */
export const CRC32_NATIVE: boolean = nativeCrc32 !== null;
