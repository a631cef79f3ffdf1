// Engine selection passes the torch settings through: the caching allocator's limit (process-wide,
// set by the last engine created) follows `cpuCacheMiB`.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { available, type TorchEngine } from '@deeprelax/engine-torch';
import { selectEngine } from '@deeprelax/runtime';

const torch = available();

describe('selectEngine: torch settings', { skip: torch.ok ? false : torch.reason }, () => {
  it('cpuCacheMiB sets the caching allocator limit; leaving it out restores the default 512 MiB', async () => {
    const MiB = 2 ** 20;
    try {
      const off = (await selectEngine('torch', { cpuCacheMiB: 0 })).engine as TorchEngine;
      assert.equal(off.name, 'torch');
      assert.equal(off.cpuCacheStats().limitBytes, 0);
      assert.equal(off.cpuCacheStats().cachedBytes, 0);
      const small = (await selectEngine('torch', { cpuCacheMiB: 64 })).engine as TorchEngine;
      assert.equal(small.cpuCacheStats().limitBytes, 64 * MiB);
    } finally {
      // Leave the process-wide default for the tests after this one.
      await selectEngine('torch', {});
    }
    const dflt = (await selectEngine('torch', {})).engine as TorchEngine;
    assert.equal(dflt.cpuCacheStats().limitBytes, 512 * MiB);
  });
});
