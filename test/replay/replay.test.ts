// Recorded histories of real runs (made by the end-to-end tests with OPSFLOW_RECORD_HISTORIES=test/replay/histories)
// replayed against the current workflow code: a change that would break runs already in flight fails here.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker } from '@temporalio/worker';
import { createLogger } from '../../platform/logger.ts';
import { installRuntime } from '../../worker/runtime.ts';
import { bundleInChildProcess, workflowsPath } from '../../worker/workflow-bundle.ts';

installRuntime(createLogger('replay-test'), { handleSignals: false });
const dir = new URL('./histories/', import.meta.url);
const files = (await readdir(dir)).filter((f) => f.endsWith('.json'));

test('there are recorded histories to replay', () => {
  assert.ok(files.length >= 2, `found ${files.join(', ')}`);
});

for (const file of files) {
  test(`replays ${file} without non-determinism`, async () => {
    const history = historyFromJSON(JSON.parse(await readFile(new URL(file, dir), 'utf8')));
    const bundle = process.env.OPSFLOW_WORKFLOW_BUNDLE;
    await Worker.runReplayHistory(bundle ? { workflowBundle: { codePath: bundle } } : { workflowsPath }, history, file);
  });
}

test('a bundle made in a child process, as `opsflow worker` makes one, replays a recorded history', async () => {
  const file = files[0];
  const history = historyFromJSON(JSON.parse(await readFile(new URL(file, dir), 'utf8')));
  await Worker.runReplayHistory({ workflowBundle: { code: await bundleInChildProcess() } }, history, file);
});
