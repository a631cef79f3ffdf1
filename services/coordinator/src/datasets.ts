// Datasets as the coordinator sees them: what a DatasetSpec refers to (validated at submit, with
// the training-set size that defines an epoch) and the loaded data for evaluation, cached.
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { loadDataset, subsetDataset, type Dataset, type LoadDatasetOptions } from '@deeprelax/data';
import type { DatasetSpec__Output } from '@deeprelax/rpc';
import { InvalidArgumentError } from '@deeprelax/rpc';

/** What a dataset spec resolves to, without loading the data when that is expensive. */
export interface DatasetInfo {
  /** Key of the loaded data in the cache (the limits are applied on top). */
  key: string;
  load: LoadDatasetOptions;
  inputShape: [number, number, number];
  numClasses: number;
  /** Training samples before train_limit. */
  trainSize: number;
  testSize: number;
}

const MNIST_INFO = { inputShape: [1, 28, 28] as [number, number, number], numClasses: 10, trainSize: 60_000, testSize: 10_000 };
const CIFAR_INFO = { inputShape: [3, 32, 32] as [number, number, number], numClasses: 10, trainSize: 50_000, testSize: 10_000 };

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function hasCifar(dir: string): boolean {
  return (
    existsSync(join(dir, 'test_batch.bin')) ||
    existsSync(join(dir, 'test_batch.bin.gz')) ||
    existsSync(join(dir, 'cifar-10-batches-bin', 'test_batch.bin'))
  );
}

export class DatasetCatalog {
  private readonly loaded = new Map<string, Promise<Dataset>>();

  constructor(private readonly dataDir: string | null) {}

  /**
   * Resolves a dataset spec (INVALID_ARGUMENT naming the field when it names nothing usable).
   * Cheap datasets are loaded here to learn their sizes; CIFAR-10 is only located.
   */
  async resolve(spec: DatasetSpec__Output | null, field = 'spec.dataset'): Promise<DatasetInfo> {
    if (!spec || (spec.source !== 'name' && spec.source !== 'path')) {
      throw new InvalidArgumentError(field, 'a dataset name or path is required');
    }
    if (spec.source === 'name') {
      const name = (spec.name ?? '').trim().toLowerCase();
      switch (name) {
        case 'mnist': {
          const local = this.dataDir ? join(this.dataDir, 'mnist') : null;
          const load: LoadDatasetOptions = local && isDir(local) ? { name: 'mnist', dir: local } : { name: 'mnist' };
          return { key: `mnist:${load.dir ?? 'bundled'}`, load, ...MNIST_INFO };
        }
        case 'cifar10':
        case 'cifar-10': {
          const candidates = this.dataDir ? [join(this.dataDir, 'cifar10'), join(this.dataDir, 'cifar-10-batches-bin'), this.dataDir] : [];
          const dir = candidates.find((d) => isDir(d) && hasCifar(d));
          if (!dir) {
            throw new InvalidArgumentError(
              `${field}.name`,
              `dataset cifar10 needs the CIFAR-10 binary files under DEEPRELAX_DATA_DIR (${this.dataDir ?? 'unset'}); nothing is downloaded`,
            );
          }
          return { key: `cifar10:${dir}`, load: { name: 'cifar10', dir }, ...CIFAR_INFO };
        }
        case 'synthetic': {
          const load: LoadDatasetOptions = { name: 'synthetic' };
          return this.probe(`synthetic`, load, `${field}.name`);
        }
        default:
          throw new InvalidArgumentError(`${field}.name`, `unknown dataset "${spec.name}"; expected mnist, cifar10, synthetic, or a path`);
      }
    }
    const raw = (spec.path ?? '').trim();
    if (!raw) throw new InvalidArgumentError(`${field}.path`, 'empty dataset path');
    const path = isAbsolute(raw) ? raw : resolve(this.dataDir ?? process.cwd(), raw);
    if (!isDir(path)) throw new InvalidArgumentError(`${field}.path`, `no dataset directory at ${path}`);
    if (hasCifar(path)) return { key: `cifar10:${path}`, load: { name: 'cifar10', dir: path }, ...CIFAR_INFO };
    return this.probe(`idx:${path}`, { name: 'idx', dir: path }, `${field}.path`);
  }

  private async probe(key: string, load: LoadDatasetOptions, field: string): Promise<DatasetInfo> {
    let ds: Dataset;
    try {
      ds = await this.data(key, load);
    } catch (err) {
      throw new InvalidArgumentError(field, `cannot load the dataset: ${err instanceof Error ? err.message : String(err)}`);
    }
    return { key, load, inputShape: ds.inputShape, numClasses: ds.numClasses, trainSize: ds.train.n, testSize: ds.test.n };
  }

  private data(key: string, load: LoadDatasetOptions): Promise<Dataset> {
    let p = this.loaded.get(key);
    if (!p) {
      p = loadDataset(load);
      this.loaded.set(key, p);
      p.catch(() => this.loaded.delete(key));
    }
    return p;
  }

  /** The data of a resolved dataset with the job's limits applied (cached per source). */
  async load(info: DatasetInfo, limits: { train: number; test: number }): Promise<Dataset> {
    const full = await this.data(info.key, info.load);
    return subsetDataset(full, {
      ...(limits.train > 0 ? { train: limits.train } : {}),
      ...(limits.test > 0 ? { test: limits.test } : {}),
    });
  }
}

/** Training samples after the limit. */
export function limitedSize(size: number, limit: number): number {
  return limit > 0 ? Math.min(size, limit) : size;
}
