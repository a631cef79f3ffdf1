// The PyTorch-in-Python reference: the same spec built from torch.nn modules, the same loop
// (forward, cross-entropy, backward, SGD step, loss and correct count read back) at a given thread
// count, timed by wall clock and process CPU time. Runs under whichever python has torch.
import { spawnSync } from 'node:child_process';
import type { ModelSpec } from '@deeprelax/core';
import type { LoopResult } from './loop.js';

const SCRIPT = String.raw`
import json, sys, time
cfg = json.loads(sys.argv[1])
import torch, torch.nn as nn, torch.nn.functional as F
torch.set_num_threads(cfg['threads'])
try:
    torch.set_num_interop_threads(1)
except RuntimeError:
    pass
torch.manual_seed(1)

def build(spec):
    mods = []
    for l in spec['layers']:
        k = l['kind']
        if k == 'linear': mods.append(nn.Linear(l['inFeatures'], l['outFeatures'], bias=l.get('bias', True)))
        elif k == 'conv2d': mods.append(nn.Conv2d(l['inChannels'], l['outChannels'], l['kernel'], stride=l.get('stride', 1), padding=l.get('padding', 0), bias=l.get('bias', True)))
        elif k == 'batchnorm1d': mods.append(nn.BatchNorm1d(l['features'], eps=l.get('eps', 1e-5), momentum=l.get('momentum', 0.1)))
        elif k == 'batchnorm2d': mods.append(nn.BatchNorm2d(l['features'], eps=l.get('eps', 1e-5), momentum=l.get('momentum', 0.1)))
        elif k == 'relu': mods.append(nn.ReLU())
        elif k == 'maxpool2d': mods.append(nn.MaxPool2d(l['kernel'], l.get('stride', l['kernel'])))
        elif k == 'avgpool2d': mods.append(nn.AvgPool2d(l['kernel'], l.get('stride', l['kernel'])))
        elif k == 'dropout': mods.append(nn.Dropout(l['p']))
        elif k == 'flatten': mods.append(nn.Flatten())
        else: raise ValueError('unknown layer kind ' + k)
    return nn.Sequential(*mods)

spec = cfg['spec']
model = build(spec).train()
opt = torch.optim.SGD(model.parameters(), lr=cfg['lr'])
n = cfg['batchSize']
g = torch.Generator().manual_seed(7)
batches = [(torch.rand(n, *spec['inputShape'], generator=g), torch.randint(0, spec['numClasses'], (n,), generator=g)) for _ in range(8)]
loss_v = float('nan')
def step(i):
    global loss_v
    x, y = batches[i % len(batches)]
    opt.zero_grad(set_to_none=True)
    out = model(x)
    loss = F.cross_entropy(out, y)
    loss.backward()
    opt.step()
    loss_v = loss.item()
    (out.argmax(1) == y).sum().item()
for i in range(cfg['warmup']): step(i)
c0 = time.process_time(); t0 = time.perf_counter(); steps = 0
while steps < cfg['maxSteps'] and (steps < cfg['minSteps'] or time.perf_counter() - t0 < cfg['minSeconds']):
    step(steps); steps += 1
wall = time.perf_counter() - t0; cpu = time.process_time() - c0
print(json.dumps({'steps': steps, 'samples': steps * n, 'wallSeconds': wall, 'cpuSeconds': cpu,
  'samplesPerSecond': steps * n / wall, 'samplesPerCpuSecond': steps * n / cpu, 'finalLoss': loss_v,
  'torchVersion': torch.__version__, 'threads': torch.get_num_threads()}))
`;

export interface PythonTorch {
  python: string;
  version: string;
}

/** The first python (PYTHON, python3, /usr/bin/python3) that can import torch, or null. */
export function findPythonTorch(): PythonTorch | null {
  for (const python of [process.env.PYTHON, 'python3', '/usr/bin/python3'].filter((p): p is string => !!p)) {
    const r = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8', timeout: 120_000 });
    if (r.status === 0) return { python, version: r.stdout.trim() };
  }
  return null;
}

export function runPyTorch(
  py: PythonTorch,
  spec: ModelSpec,
  opts: { batchSize: number; warmup: number; minSteps: number; maxSteps: number; minSeconds: number; lr: number; threads: number },
  /** A folder holding another libblas.so.3 (e.g. OpenBLAS) to load in place of the system's. */
  blasDir: string | null = null,
): LoopResult & { torchVersion: string; threads: number } {
  const t = String(opts.threads);
  const env: NodeJS.ProcessEnv = { ...process.env, OMP_NUM_THREADS: t, MKL_NUM_THREADS: t, OPENBLAS_NUM_THREADS: t };
  if (blasDir) env.LD_LIBRARY_PATH = [blasDir, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':');
  const r = spawnSync(py.python, ['-c', SCRIPT, JSON.stringify({ spec, ...opts })], { encoding: 'utf8', env, timeout: 600_000 });
  if (r.status !== 0) throw new Error(`PyTorch reference failed (${py.python}): ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}
