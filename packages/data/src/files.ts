// File access shared by the loaders: read a file whole, transparently gunzipping gzip data
// (detected by its magic bytes 1f 8b, whatever the file is called), and find one of several names.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DataError } from './errors.js';

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Reads a file; gzip content is decompressed. Errors name the file. */
export function readMaybeGzip(path: string): Uint8Array {
  let raw: Buffer;
  try {
    raw = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new DataError('file does not exist', path);
    throw new DataError(`cannot read file (${(e as Error).message})`, path);
  }
  const bytes = new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
  if (!isGzip(bytes)) return bytes;
  try {
    const out = gunzipSync(bytes);
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } catch (e) {
    throw new DataError(`corrupt or truncated gzip data (${(e as Error).message})`, path);
  }
}

/** Throws DataError unless `dir` is an existing directory. */
export function requireDirectory(dir: string, what: string): void {
  let ok = false;
  try {
    ok = statSync(dir).isDirectory();
  } catch {
    throw new DataError(`${what} directory does not exist`, dir);
  }
  if (!ok) throw new DataError(`${what} path is not a directory`, dir);
}

/** The first of `names` (each also tried with a .gz suffix) that exists in dir, else DataError. */
export function findFile(dir: string, names: readonly string[], what: string): string {
  const tried: string[] = [];
  for (const name of names) {
    for (const candidate of [name, `${name}.gz`]) {
      tried.push(candidate);
      const p = join(dir, candidate);
      if (existsSync(p)) return p;
    }
  }
  throw new DataError(`missing ${what}: none of ${tried.join(', ')} found`, dir);
}
