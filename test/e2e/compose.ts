// docker-compose.yml as data: `docker-compose config` (Debian's v1 binary) resolved and parsed,
// and the mapping of a compose service's command/environment onto local processes.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ROOT } from './helpers.js';

export interface ComposeService {
  image?: string;
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string>;
  ports?: ({ published: number | string; target: number } | string)[];
  expose?: string[];
  volumes?: (string | { target: string })[];
  profiles?: string[];
  container_name?: string;
  deploy?: { resources?: { reservations?: { devices?: { driver?: string; count?: number | string; capabilities?: string[] }[] } } };
  depends_on?: Record<string, unknown> | string[];
  healthcheck?: unknown;
  build?: { context: string; dockerfile: string };
  stop_grace_period?: string;
}

export interface ComposeConfig {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

export function composeBinary(): string | null {
  const r = spawnSync('docker-compose', ['version'], { encoding: 'utf8' });
  return r.status === 0 ? 'docker-compose' : null;
}

/** `docker-compose -f docker-compose.yml [--profile p]... config`, parsed. */
export function composeConfig(profiles: string[] = [], env: Record<string, string> = {}): { status: number | null; stderr: string; config: ComposeConfig | null; raw: string } {
  const args = ['-f', join(ROOT, 'docker-compose.yml'), ...profiles.flatMap((p) => ['--profile', p]), 'config'];
  const base: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('DEEPRELAX_')) base[k] = v;
  const r = spawnSync('docker-compose', args, { cwd: ROOT, encoding: 'utf8', env: { ...base, ...env } });
  return { status: r.status, stderr: r.stderr, raw: r.stdout, config: r.status === 0 ? (parse(r.stdout) as ComposeConfig) : null };
}

/** A compose command `node [--flag ...] <script> [args...]` taken apart. */
export function nodeCommand(command: string[]): { flags: string[]; script: string; args: string[] } {
  if (command[0] !== 'node') throw new Error(`compose command is not "node [flags] <script>": ${command.join(' ')}`);
  let i = 1;
  while (i < command.length && command[i]!.startsWith('-')) i++;
  if (i >= command.length) throw new Error(`compose command has no script: ${command.join(' ')}`);
  return { flags: command.slice(1, i), script: command[i]!, args: command.slice(i + 1) };
}

/**
 * The argv (after node) that runs a compose command here, with its node flags: `node [flags]
 * services/x/dist/main.js` runs the built file when it exists, else the same module from its
 * TypeScript sources through tsx.
 */
export function localArgs(command: string[]): string[] {
  const { flags, script, args } = nodeCommand(command);
  if (existsSync(join(ROOT, script)) && process.env.DEEPRELAX_E2E_USE_DIST === '1') return [...flags, join(ROOT, script), ...args];
  const src = script.replace(/\/dist\/(.*)\.js$/, '/src/$1.ts');
  return [...flags, '--conditions=deeprelax-src', '--import', import.meta.resolve('tsx'), join(ROOT, src), ...args];
}
