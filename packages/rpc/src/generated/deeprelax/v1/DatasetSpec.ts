// Original file: proto/deeprelax/v1/jobs.proto


/**
 * Where the data comes from. The same dataset is present on every worker; each replica draws its
 * own seeded minibatches from it.
 */
export interface DatasetSpec {
  /**
   * A dataset known to packages/data: "mnist", "cifar10", "synthetic", ...
   */
  'name'?: (string);
  /**
   * A directory or file on the workers' file system (IDX files, CIFAR-10 binary batches).
   */
  'path'?: (string);
  /**
   * Use only the first N training samples (0 = all). For quick runs and tests.
   */
  'trainLimit'?: (number);
  /**
   * Use only the first N validation samples (0 = all).
   */
  'valLimit'?: (number);
  'source'?: "name"|"path";
}

/**
 * Where the data comes from. The same dataset is present on every worker; each replica draws its
 * own seeded minibatches from it.
 */
export interface DatasetSpec__Output {
  /**
   * A dataset known to packages/data: "mnist", "cifar10", "synthetic", ...
   */
  'name'?: (string);
  /**
   * A directory or file on the workers' file system (IDX files, CIFAR-10 binary batches).
   */
  'path'?: (string);
  /**
   * Use only the first N training samples (0 = all). For quick runs and tests.
   */
  'trainLimit': (number);
  /**
   * Use only the first N validation samples (0 = all).
   */
  'valLimit': (number);
  'source'?: "name"|"path";
}
