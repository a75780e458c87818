// An OpsRequest's spec edited after it was admitted (a cluster without deploy/opsflow/admission-policy.yaml,
// which refuses such edits at the API server, as KubeDB's webhook does): a run carries out the spec it
// admitted and says so, and a request still waiting for its turn is refused before anything is touched.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mergePatch } from '../../platform/kube.ts';
import { conditionOf, get, kube, res, waitForObject, waitForOpsRequestDone } from '../helpers/cluster.ts';
import { CertificateTimeline } from '../helpers/certificate-timeline.ts';
import { assertIssuedOnce } from '../helpers/issued-once.ts';
import { applyRotate, databaseCertificates, holdIssuance, isPaused, releaseIssuance } from '../helpers/fixtures.ts';
import { PodTimeline } from '../helpers/pod-timeline.ts';
import { scenario } from '../helpers/scenario.ts';

const editSpec = (ns: string, name: string, spec: object) =>
  kube.custom.patchNamespacedCustomObject({ ...res.mysqlOps, namespace: ns, name, body: { spec } }, mergePatch);

const issuing = (ns: string) =>
  waitForObject<any, true>(res.certificate, ns, 'my-db-server-cert', (c) => (conditionOf(c, 'Issuing')?.status === 'True' ? true : undefined));

test('the spec edited while the run goes on: the run carries out the spec it admitted, observes generation 1, and says the edit was ignored', async (t) => {
  const { ns } = await scenario(t, 'spec-edited');
  const issuances = await CertificateTimeline.start(ns);
  await holdIssuance(ns);
  const timeline = await PodTimeline.start(ns);
  await applyRotate(ns, 'rotate-edited', 'my-db', '  timeout: 1m\n');
  await issuing(ns);
  // An edit that would ask for something else entirely: remove TLS.
  await editSpec(ns, 'rotate-edited', { tls: { rotateCertificates: null, remove: true } });
  await releaseIssuance(ns);
  const ops = await waitForOpsRequestDone(ns, 'rotate-edited');
  await timeline.close();
  await issuances.close();
  assert.equal(ops.status.phase, 'Successful', JSON.stringify(ops.status.conditions, null, 2));
  assert.equal(ops.metadata.generation, 2);
  assert.equal(ops.status.observedGeneration, 1, 'the status observes the generation carried out');
  assert.match(conditionOf(ops, 'SpecEditIgnored').message, /^the spec was edited after this request was admitted \(generation 1 → 2\); the run carries out generation 1: for the change, apply a new OpsRequest$/);
  // Rotated, not removed.
  await assertIssuedOnce(t, ns, { certificates: databaseCertificates, by: 'trigger' }, issuances);
  for (const [pod, uids] of timeline.uidsByPod()) assert.equal(uids.length, 2, `${pod} restarted once`);
  assert.ok((await get(res.mysql, ns, 'my-db')).spec.tls, 'TLS kept');
});

test('the spec edited while the request waits for its turn: refused when its turn comes, naming the spec, nothing paused or restarted', async (t) => {
  const { ns } = await scenario(t, 'spec-edited-pending');
  await holdIssuance(ns);
  await applyRotate(ns, 'rotate-first', 'my-db', '  timeout: 1m\n');
  await issuing(ns);
  await applyRotate(ns, 'rotate-waiting', 'my-db', '  timeout: 1m\n');
  await waitForObject<any, true>(res.mysqlOps, ns, 'rotate-waiting', (o) => (o?.status?.phase === 'Pending' ? true : undefined));
  await editSpec(ns, 'rotate-waiting', { timeout: '2m' });
  await releaseIssuance(ns);
  assert.equal((await waitForOpsRequestDone(ns, 'rotate-first')).status.phase, 'Successful');
  const timeline = await PodTimeline.start(ns);
  const ops = await waitForOpsRequestDone(ns, 'rotate-waiting');
  await timeline.close();
  assert.equal(ops.status.phase, 'Failed', JSON.stringify(ops.status.conditions, null, 2));
  assert.match(conditionOf(ops, 'Failed').message, /^the spec of MySQLOpsRequest \S+\/rotate-waiting was edited after it was admitted \(generation 1 → 2\); nothing was changed: apply a new OpsRequest for the new spec$/);
  for (const [pod, uids] of timeline.uidsByPod()) assert.equal(uids.length, 1, `${pod} not restarted`);
  assert.equal(isPaused(await get(res.mysql, ns, 'my-db')), false);
});
