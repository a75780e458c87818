// In a real browser (Debian's Chromium, headless, driven by playwright-core): the local Temporal Web UI's
// "Start a Workflow" form, given a whole OpsRequest as its one JSON input, starts an operation that creates the
// OpsRequest and carries it out; the run's page shows it Completed, its summary in the result, and in its
// current details the step list with durations. OPSFLOW_SCREENSHOT=<file.png> keeps a screenshot of the run.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { stateDir } from '../../tools/localenv/paths.ts';
import { get, res, waitForOpsRequestDone } from '../helpers/cluster.ts';
import { scenario } from '../helpers/scenario.ts';

// What is known to work here: the system Chromium, with the network quiet (this machine's is closed).
export const chromiumFlags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

test('Temporal Web: a whole OpsRequest in the Start Workflow form runs to completion; the run shows its summary and step list', async (t) => {
  const ui = process.env.TEMPORAL_UI_URL;
  assert.ok(ui, 'TEMPORAL_UI_URL (from .localenv/env)');
  const { ns, opsflow } = await scenario(t, 'web');
  const browser: Browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: chromiumFlags });
  t.after(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const workflowId = `rotate-from-temporal-web-${ns}`;
  const input = {
    apiVersion: 'ops.kubedb.com/v1alpha1',
    kind: 'MySQLOpsRequest',
    metadata: { namespace: ns, name: 'myops-rotate' },
    spec: { type: 'ReconfigureTLS', databaseRef: { name: 'my-db' }, tls: { rotateCertificates: true }, timeout: '5m' },
  };

  await page.goto(`${ui}/namespaces/default/workflows/start-workflow`);
  await page.fill('#workflowId', workflowId);
  await page.fill('#taskQueue', opsflow.temporal.taskQueue);
  await page.fill('#workflowType', 'opsRequestWorkflow');
  await page.click('.cm-content'); // the Input's JSON editor
  await page.keyboard.insertText(JSON.stringify(input, null, 2));
  await page.getByRole('button', { name: 'Start Workflow' }).click();
  await page.getByText('Workflow started successfully').waitFor({ timeout: 15_000 });

  // The run created the OpsRequest, as kubectl would show it, and carried it out.
  const ops = await waitForOpsRequestDone(ns, 'myops-rotate');
  assert.equal(ops.status.phase, 'Successful');
  assert.equal(ops.metadata.annotations['opsflow.dev/workflow-id'], workflowId);
  const handle = opsflow.client.workflow.getHandle(workflowId);
  await handle.result();
  const { runId } = await handle.describe();
  assert.equal((await get(res.mysql, ns, 'my-db')).status.conditions?.some((c: any) => c.type === 'Paused'), false);

  // Its page: Completed, the whole OpsRequest as input, the summary of what changed as the result.
  await page.goto(`${ui}/namespaces/default/workflows/${encodeURIComponent(workflowId)}`);
  await page.getByText('Completed', { exact: true }).first().waitFor({ timeout: 15_000 });
  const result = page.locator('main');
  await result.getByText('"summary": "rotate the certificates of MySQL', { exact: false }).first().waitFor({ timeout: 15_000 });
  const text = (await result.textContent()) ?? '';
  assert.match(text, new RegExp(`"summary": "rotate the certificates of MySQL ${ns}/my-db: done in [\\d.]+m?s, 3 certificates issued, 3 pods restarted"`));
  assert.match(text, /"name": "myops-rotate"/, 'the input shown is the whole OpsRequest');

  // Its current details: the step list, each step done with its duration, each pod under the restart.
  await page.goto(`${ui}/namespaces/default/workflows/${encodeURIComponent(workflowId)}/${runId}/user-metadata`);
  await page.getByText('Current Details').waitFor({ timeout: 15_000 });
  const rendered = page.frameLocator('iframe[title="output"]').last(); // Temporal Web renders the markdown in a frame
  await rendered.locator('li', { hasText: 'Pause the database' }).first().waitFor({ timeout: 15_000 });
  const list = (await rendered.locator('body').textContent()) ?? '';
  assert.match(list, /ReconfigureTLS: rotate the certificates of MySQL/);
  assert.match(list, /(\d+) of \1 steps done/);
  for (const step of ['Wait for the database to be Ready', 'Pause the database', 'Re-issue the certificates', 'Check the new certificates', 'Restart the pods', 'Resume the database']) {
    assert.match(list, new RegExp(`✔ ${step} — .*? · \\d+(ms|\\.\\ds)`), step);
  }
  for (const pod of ['my-db-0', 'my-db-1', 'my-db-2']) assert.match(list, new RegExp(`✔ Evict ${pod} — ${pod}: evicted · \\d+m?s`), pod);

  const file = process.env.OPSFLOW_SCREENSHOT ?? join(stateDir, 'screenshots', 'temporal-web-run.png');
  await mkdir(dirname(file), { recursive: true });
  await page.screenshot({ path: file, clip: { x: 64, y: 60, width: 1216, height: 840 } }); // without the side bar and the top bar
  console.log(`# screenshot of the finished run: ${file}`);
});
