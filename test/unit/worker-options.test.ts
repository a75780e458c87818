// The worker's own settings from the environment: a wrong one is refused at start, naming the variable.
import assert from 'node:assert/strict';
import test from 'node:test';
import { maxCachedWorkflows } from '../../worker/worker.ts';

test('OPSFLOW_MAX_CACHED_WORKFLOWS: unset leaves the SDK its default; a whole number of 2 or more is taken; anything else is refused', () => {
  assert.equal(maxCachedWorkflows({}), undefined);
  assert.equal(maxCachedWorkflows({ OPSFLOW_MAX_CACHED_WORKFLOWS: '' }), undefined);
  assert.equal(maxCachedWorkflows({ OPSFLOW_MAX_CACHED_WORKFLOWS: '500' }), 500);
  for (const wrong of ['1', '0', '-3', '2.5', 'many', '1e9x']) {
    assert.throws(() => maxCachedWorkflows({ OPSFLOW_MAX_CACHED_WORKFLOWS: wrong }), new RegExp(`OPSFLOW_MAX_CACHED_WORKFLOWS=${wrong.replace('.', '\\.')}: give a whole number of runs, 2 or more`));
  }
});
