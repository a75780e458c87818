// opsflow under exactly the ClusterRole of deploy/opsflow/rbac.yaml, bound to a ServiceAccount of the test's
// (its token from the TokenRequest API), worker and watcher both: a TLS MySQL gets its certificates, a rotation
// and a Reconfigure with applyConfig (a Secret created, owned by the database) finish. With one verb taken out of
// the role the operation fails at once saying what was forbidden, and the database is resumed.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test, type TestContext } from 'node:test';
import type { KubernetesObject, V1ClusterRole } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { apply, conditionOf, createNamespace, deleteNamespace, get, kube, res, waitForObject, waitForOpsRequestDone } from '../helpers/cluster.ts';
import { applyRotate, createCAIssuer, createTLSMySQL, isPaused, waitForCertificatesIssued, waitForDatabaseReady } from '../helpers/fixtures.ts';
import { startOpsflow } from '../helpers/opsflow.ts';
import { serviceAccountKube } from '../helpers/service-account.ts';

const role = parseAllDocuments(await readFile(new URL('../../deploy/opsflow/rbac.yaml', import.meta.url), 'utf8')).map((d) => d.toJS()).find((o) => o.kind === 'ClusterRole') as V1ClusterRole;

/** A namespace whose ServiceAccount `opsflow` has `rules` (the role's, by default) cluster-wide; opsflow started under it. */
async function underTheRole(t: TestContext, prefix: string, rules = role.rules!) {
  const ns = await createNamespace(prefix);
  const name = `opsflow-${ns}`;
  const objects: KubernetesObject[] = [
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name }, rules } as KubernetesObject,
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name }, subjects: [{ kind: 'ServiceAccount', name: 'opsflow', namespace: ns }] } as KubernetesObject,
  ];
  for (const o of objects) await kube.objects.create(o);
  const opsflow = await startOpsflow(ns, { kube: await serviceAccountKube(ns, 'opsflow') });
  t.after(async () => {
    await opsflow.stop();
    for (const o of objects) await kube.objects.delete(o).catch(() => {});
    await deleteNamespace(ns);
  });
  return { ns, opsflow };
}

test("under the role's rules: a TLS database's certificates, a rotation and an applyConfig Reconfigure all finish", async (t) => {
  const { ns } = await underTheRole(t, 'rbac');
  await createCAIssuer(ns);
  await createTLSMySQL(ns);
  await waitForDatabaseReady(ns);
  await waitForCertificatesIssued(ns);
  await applyRotate(ns, 'rotate-under-role');
  const rotated = await waitForOpsRequestDone(ns, 'rotate-under-role');
  assert.equal(rotated.status.phase, 'Successful', JSON.stringify(rotated.status.conditions, null, 2));

  await apply(ns, await readFile(new URL('../../deploy/examples/reconfigure/mysql/1-mysql.yaml', import.meta.url), 'utf8'));
  await waitForDatabaseReady(ns, 'sample-mysql', 120_000);
  await apply(ns, await readFile(new URL('../../deploy/examples/reconfigure/mysql/4-reconfigure-apply.yaml', import.meta.url), 'utf8'));
  const applied = await waitForObject<any, any>(res.mysqlOps, ns, 'myops-reconfigure-apply', (o) => (['Successful', 'Failed'].includes(o?.status?.phase) ? o : undefined), 120_000);
  assert.equal(applied.status.phase, 'Successful', JSON.stringify(applied.status.conditions, null, 2));
  assert.equal(conditionOf(applied, 'PrepareCustomConfig')?.status, 'True');
});

test('one verb taken out (pods/eviction create): the rotation fails at once saying it was forbidden, and the database is resumed', async (t) => {
  const rules = role.rules!.filter((r) => !(r.resources ?? []).includes('pods/eviction'));
  assert.equal(rules.length, role.rules!.length - 1, 'the role has a pods/eviction rule to take out');
  const { ns } = await underTheRole(t, 'rbac-cut', rules);
  await createCAIssuer(ns);
  await createTLSMySQL(ns);
  await waitForDatabaseReady(ns);
  await waitForCertificatesIssued(ns);
  const started = Date.now();
  await applyRotate(ns, 'rotate-forbidden', 'my-db', '  timeout: 5m\n');
  const ops = await waitForOpsRequestDone(ns, 'rotate-forbidden');
  assert.equal(ops.status.phase, 'Failed');
  const evict = ops.status.conditions.find((c: any) => c.type.startsWith('EvictPod--') && c.status === 'False');
  assert.ok(evict, JSON.stringify(ops.status.conditions, null, 2));
  assert.match(evict.message, /403.*forbidden.*pods\/eviction|cannot create resource "pods\/eviction"/i);
  assert.ok(Date.now() - started < 60_000, `failed at once, not after its 5m limit (${Date.now() - started} ms)`);
  assert.equal(isPaused(await get(res.mysql, ns, 'my-db')), false, 'resumed');
});
