// Engine registry for the composition root: picks torch or tfjs by name, or the fastest one present
// ('auto': torch when its addon loads, else tfjs), and says which and why.
import type { Engine } from '@deeprelax/core';

export type EngineChoice = 'auto' | 'torch' | 'tfjs';
export const ENGINE_CHOICES: readonly EngineChoice[] = ['auto', 'torch', 'tfjs'];

export interface EngineSelection {
  engine: Engine;
  /** One line for the log: what was chosen and why. */
  reason: string;
}

export interface EngineSettings {
  /** torch: intra-op threads (default 1 so that worker processes do not fight over cores). */
  threads?: number;
  /** torch: 'cpu' | 'cuda' | 'auto'. */
  device?: 'cpu' | 'cuda' | 'auto';
  /**
   * torch: MiB of freed large CPU blocks kept for reuse (the addon's caching allocator; default
   * 512, 0 = off). The cache is process-wide: the last engine created sets it.
   */
  cpuCacheMiB?: number;
}

export class EngineSelectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EngineSelectionError';
  }
}

async function tfjs(why: string): Promise<EngineSelection> {
  const { createTfjsEngine } = await import('@deeprelax/engine-tfjs');
  const engine = await createTfjsEngine();
  const sel = (engine as { selection?: { reason?: string } }).selection;
  return { engine, reason: `${why}; tfjs backend: ${engine.description}${sel?.reason ? ` (${sel.reason})` : ''}` };
}

export async function selectEngine(choice: EngineChoice, settings: EngineSettings = {}): Promise<EngineSelection> {
  if (choice === 'tfjs') return tfjs('engine tfjs requested');
  const torch = await import('@deeprelax/engine-torch');
  const status = torch.available();
  if (status.ok) {
    const engine = torch.createTorchEngine({
      threads: settings.threads ?? 1,
      device: settings.device ?? (choice === 'auto' ? 'auto' : 'cpu'),
      ...(settings.cpuCacheMiB !== undefined ? { cpuCacheMiB: settings.cpuCacheMiB } : {}),
    });
    return { engine, reason: `engine torch ${choice === 'auto' ? 'chosen (fastest present)' : 'requested'}: ${engine.description}; ${status.reason}` };
  }
  if (choice === 'torch') throw new EngineSelectionError(`engine torch is unavailable: ${status.reason}`);
  return tfjs(`engine torch unavailable (${status.reason}), falling back to tfjs`);
}
