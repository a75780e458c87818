// Kubernetes Events of a run, as `kubectl describe` shows them: on the OpsRequest and on its database, for each
// step and each pod, in KubeDB's words; one Event per happening (a retried activity never adds one), a repeat
// counted on the same Event.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CoreV1Event } from '@kubernetes/client-node';
import { emitEvent, occurrenceAnnotation } from '../../activities/events.ts';
import { mergePatch } from '../../platform/kube.ts';
import { apply, conditionOf, get, kube, res, waitForOpsRequestDone } from '../helpers/cluster.ts';
import { applyRotate, listPods } from '../helpers/fixtures.ts';
import { scenario } from '../helpers/scenario.ts';

/** The events about one object, as kubectl describe finds them (by name, kind and UID), in the order they happened. */
async function eventsOf(ns: string, kind: string, name: string, uid: string): Promise<CoreV1Event[]> {
  const list = await kube.core.listNamespacedEvent({ namespace: ns, fieldSelector: `involvedObject.name=${name},involvedObject.kind=${kind},involvedObject.uid=${uid}` });
  return list.items.sort((a, b) => new Date(a.eventTime as unknown as string).getTime() - new Date(b.eventTime as unknown as string).getTime());
}
const lines = (events: CoreV1Event[]) => events.map((e) => `${e.type} ${e.reason}: ${e.message}`);

test('a rotation tells its story in Events on the OpsRequest and the database, each step and pod once', async (t) => {
  const { ns } = await scenario(t, 'events');
  const primary = (await listPods(ns)).find((p) => p.metadata?.labels?.['kubedb.com/role'] === 'primary')!.metadata!.name!;
  await applyRotate(ns, 'rotate-events');
  const ops = await waitForOpsRequestDone(ns, 'rotate-events');
  assert.equal(ops.status.phase, 'Successful');
  const db = await get(res.mysql, ns, 'my-db');
  await new Promise((r) => setTimeout(r, 500)); // the last status write's events follow it

  const onOps = await eventsOf(ns, 'MySQLOpsRequest', 'rotate-events', ops.metadata.uid);
  const story = lines(onOps);
  const expected = [
    `Normal Starting: Start processing for MySQLOpsRequest: ${ns}/rotate-events`,
    `Normal ReconfigureTLS: opsflow has started to rotate the certificates of MySQL ${ns}/my-db`,
    `Normal DatabaseReady: MySQL database ${ns}/my-db is Ready`,
    `Normal Starting: Pausing MySQL database: ${ns}/my-db`,
    `Normal Successful: Successfully paused MySQL database: ${ns}/my-db for MySQLOpsRequest: rotate-events`,
    'Normal CertificateSynced: Successfully synced all certificates: fit to serve: my-db-server-cert ✓, my-db-client-cert ✓',
    `Normal Starting: Restarting Pod: ${ns}/${primary} (primary, last)`,
    `Normal EvictPod--${primary}: Evicted Pod: ${ns}/${primary}`,
    `Normal ResumeDatabase: Successfully resumed MySQL database: ${ns}/my-db`,
  ];
  for (const line of expected) assert.ok(story.includes(line), `${line}\n${story.join('\n')}`);
  assert.ok(story.some((l) => l.startsWith('Normal IssueCertificatesSucceeded: Successfully issued all certificates: my-db-')), story.join('\n'));
  assert.ok(story.some((l) => l.startsWith(`Normal RestartPods: Successfully restarted MySQL pods for MySQLOpsRequest: ${ns}/rotate-events`)));
  assert.ok(story.at(-1)!.startsWith(`Normal Successful: Successfully reconfigured MySQL TLS for MySQLOpsRequest: ${ns}/rotate-events`), 'the last word');
  // Each pod: chosen, evicted, back — in that order, the primary last.
  for (const pod of ['my-db-0', 'my-db-1', 'my-db-2']) {
    const at = (prefix: string) => story.findIndex((l) => l.startsWith(prefix));
    const chosen = at(`Normal Starting: Restarting Pod: ${ns}/${pod}`);
    assert.ok(chosen >= 0 && chosen < at(`Normal EvictPod--${pod}:`) && at(`Normal EvictPod--${pod}:`) < at(`Normal CheckPodRunning--${pod}: Pod ${ns}/${pod} is running and Ready (new uid`), `${pod}: ${story.join('\n')}`);
  }
  assert.ok(story.findIndex((l) => l.includes(`Restarting Pod: ${ns}/${primary}`)) > Math.max(...['my-db-0', 'my-db-1', 'my-db-2'].filter((p) => p !== primary).map((p) => story.findIndex((l) => l.includes(`Restarting Pod: ${ns}/${p}`)))));
  assert.ok(onOps.every((e) => e.count === 1 && e.source?.component === 'opsflow' && e.reportingComponent === 'opsflow'), 'one Event per happening, from opsflow');
  assert.equal(new Set(onOps.map((e) => e.metadata?.name)).size, onOps.length);
  assert.ok(onOps.every((e) => e.lastTimestamp && e.firstTimestamp), 'kubectl describe orders by lastTimestamp: set');

  const onDb = lines(await eventsOf(ns, 'MySQL', 'my-db', db.metadata.uid));
  for (const line of [
    `Normal Starting: Pausing MySQL database: ${ns}/my-db`,
    `Normal Starting: Resuming MySQL database: ${ns}/my-db`,
    `Normal Successful: Successfully resumed MySQL database: ${ns}/my-db`,
    `Normal Starting: Restarting Pod: ${ns}/${primary} (primary, last)`,
  ]) {
    assert.ok(onDb.includes(line), `${line}\n${onDb.join('\n')}`);
  }
  assert.ok(onDb.at(-1)!.startsWith('Normal Successful: Successfully reconfigured MySQL TLS'), onDb.join('\n'));
});

test('a failed step is a Warning with its error on both objects; a refused request gets its Failed event', async (t) => {
  const { ns } = await scenario(t, 'events-fail');
  await kube.apps.patchNamespacedStatefulSet({ namespace: ns, name: 'my-db', body: { spec: { template: { spec: { nodeName: 'no-such-node' } } } } }, mergePatch);
  await applyRotate(ns, 'rotate-stuck', 'my-db', '  timeout: 3s\n  maxRetries: 0\n');
  const ops = await waitForOpsRequestDone(ns, 'rotate-stuck');
  assert.equal(ops.status.phase, 'Failed');
  const stuck = ops.status.conditions.find((c: any) => c.type.startsWith('CheckPodRunning--') && c.status === 'False');
  await new Promise((r) => setTimeout(r, 500));
  const story = lines(await eventsOf(ns, 'MySQLOpsRequest', 'rotate-stuck', ops.metadata.uid));
  assert.ok(story.some((l) => l.startsWith(`Warning ${stuck.type}: ${stuck.type.replace('CheckPodRunning--', '')} was not Ready within 3s (spec.timeout): recreated`)), story.join('\n'));
  assert.ok(story.some((l) => l.startsWith(`Warning Failed: Failed to reconfigure MySQL TLS for MySQLOpsRequest: ${ns}/rotate-stuck: Wait for `)), story.join('\n'));
  const onDb = lines(await eventsOf(ns, 'MySQL', 'my-db', (await get(res.mysql, ns, 'my-db')).metadata.uid));
  assert.ok(onDb.some((l) => l.startsWith(`Warning ${stuck.type}: ${stuck.type.replace('CheckPodRunning--', '')} was not Ready within 3s (spec.timeout)`)), onDb.join('\n'));
  assert.ok(onDb.includes(`Normal Successful: Successfully resumed MySQL database: ${ns}/my-db`), 'resumed after the failure');

  await apply(ns, 'apiVersion: ops.kubedb.com/v1alpha1\nkind: MySQLOpsRequest\nmetadata: {name: refused}\nspec: {type: ReconfigureTLS, databaseRef: {name: my-db}, tls: {rotateCertificates: true, remove: true}}\n');
  const refused = await waitForOpsRequestDone(ns, 'refused');
  await new Promise((r) => setTimeout(r, 300));
  assert.deepEqual(lines(await eventsOf(ns, 'MySQLOpsRequest', 'refused', refused.metadata.uid)), [
    `Warning Failed: Failed to reconfigure MySQL TLS for MySQLOpsRequest: ${ns}/refused: ${conditionOf(refused, 'Failed').message}`,
  ]);
});

test('aggregated: an occurrence emitted again (a retried activity) counts once; a new occurrence of the same event counts on it, also after someone else counted on it or it expired', async (t) => {
  const { ns } = await scenario(t, 'events-count', { database: false });
  const cm = await kube.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'target' } } });
  const regarding = { apiVersion: 'v1', kind: 'ConfigMap', namespace: ns, name: 'target', uid: cm.metadata!.uid };
  const spec = { type: 'Normal' as const, reason: 'Starting', action: 'Test', message: 'the same event' };
  await emitEvent(kube, regarding, spec, 'run-1/activity-7');
  await emitEvent(kube, regarding, spec, 'run-1/activity-7'); // a retry of the same activity
  let [e] = await eventsOf(ns, 'ConfigMap', 'target', cm.metadata!.uid!);
  assert.equal(e.count, 1);
  assert.equal(e.series, undefined);
  await emitEvent(kube, regarding, spec, 'run-1/activity-9'); // it happened again
  [e] = await eventsOf(ns, 'ConfigMap', 'target', cm.metadata!.uid!);
  assert.equal(e.count, 2);
  assert.equal(e.series?.count, 2);
  // Counted by someone else meanwhile: the copy this worker remembers is stale, and the count goes on from theirs.
  await kube.core.replaceNamespacedEvent({ namespace: ns, name: e.metadata!.name!, body: { ...e, count: 5, metadata: { ...e.metadata, annotations: { [occurrenceAnnotation]: 'elsewhere' } } } });
  await emitEvent(kube, regarding, spec, 'run-1/activity-11');
  [e] = await eventsOf(ns, 'ConfigMap', 'target', cm.metadata!.uid!);
  assert.equal(e.count, 6);
  // Gone (expired) since: made anew.
  await kube.core.deleteNamespacedEvent({ namespace: ns, name: e.metadata!.name! });
  await emitEvent(kube, regarding, spec, 'run-1/activity-12');
  [e] = await eventsOf(ns, 'ConfigMap', 'target', cm.metadata!.uid!);
  assert.equal(e.count, 1);
  await emitEvent(kube, regarding, { ...spec, message: 'another event' }, 'run-1/activity-9');
  assert.equal((await eventsOf(ns, 'ConfigMap', 'target', cm.metadata!.uid!)).length, 2, 'another message is another Event');
});
