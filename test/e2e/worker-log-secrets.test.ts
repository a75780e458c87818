// No secret in the worker's logs: a worker process logging everything (debug) carries out a rotation and a
// failed one (its Issuer deleted midway: errors, compensation), and all it wrote is searched for what
// secret-patterns.ts lists and for the database's own password.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { conditionOf, kube, res, waitForObject, waitForOpsRequestDone } from '../helpers/cluster.ts';
import { applyRotate, createCAIssuer, createTLSMySQL, holdIssuance, issuerName, waitForCertificatesIssued, waitForDatabaseReady } from '../helpers/fixtures.ts';
import { scenario } from '../helpers/scenario.ts';
import { secretPatterns } from '../helpers/secret-patterns.ts';
import { spawnWorker } from '../helpers/worker-process.ts';

test('the worker logs no certificate, key or password, at debug level, through a rotation and a failed one', async (t) => {
  const { ns, opsflow } = await scenario(t, 'log-secrets', { worker: false, database: false });
  const worker = await spawnWorker(opsflow.temporal.taskQueue, 'debug');
  t.after(async () => {
    worker.child.kill('SIGTERM');
    await worker.exited;
  });
  await createCAIssuer(ns);
  await createTLSMySQL(ns);
  await waitForDatabaseReady(ns);
  await waitForCertificatesIssued(ns);

  await applyRotate(ns, 'rotate-logged');
  assert.equal((await waitForOpsRequestDone(ns, 'rotate-logged')).status.phase, 'Successful');
  await holdIssuance(ns);
  await applyRotate(ns, 'rotate-failing', 'my-db', '  timeout: 5s\n  maxRetries: 0\n');
  await waitForObject<any, true>(res.certificate, ns, 'my-db-server-cert', (c) => (conditionOf(c, 'Issuing')?.status === 'True' ? true : undefined));
  await kube.custom.deleteNamespacedCustomObject({ group: 'cert-manager.io', version: 'v1', namespace: ns, plural: 'issuers', name: issuerName });
  assert.equal((await waitForOpsRequestDone(ns, 'rotate-failing')).status.phase, 'Failed');

  const log = worker.output();
  assert.ok(log.split('\n').length > 50, `the worker logged (${log.length} bytes)`);
  const password = Buffer.from((await kube.core.readNamespacedSecret({ namespace: ns, name: 'my-db-auth' })).data!.password!, 'base64').toString();
  for (const [what, pattern] of [...secretPatterns, ['the database password', new RegExp(password.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))] as [string, RegExp]]) {
    const hit = log.split('\n').find((line) => pattern.test(line));
    assert.equal(hit, undefined, `${what} in the worker's log: ${hit?.slice(0, 160)}`);
  }
});
