// Newer KubeDB runs databases in PetSets (apps.k8s.appscode.com/v1, a StatefulSet's template shape). No PetSet
// controller runs here, so this path is proven at the API level: with a PetSet beside the StatefulSet, the
// plan names the PetSet (UpdatePetSets), and the workload activity writes KubeDB's TLS layout into the
// PetSet's template and puts it back, leaving the StatefulSet alone.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { createActivities } from '../../activities/index.ts';
import { readPlanFacts } from '../../activities/facts.ts';
import { planReconfigureTLS } from '../../model/planner.ts';
import { profiles } from '../../model/profiles.ts';
import { apply, createNamespace, deleteNamespace, kube, waitForObject } from '../helpers/cluster.ts';
import { tlsKinds } from '../helpers/tls-kinds.ts';

const mysql = tlsKinds.find((k) => k.kind === 'MySQL')!;
const petSet = { group: 'apps.k8s.appscode.com', version: 'v1', plural: 'petsets' };
const example = (file: string) => readFile(new URL(`../../deploy/examples/reconfigure-tls/mysql/${file}`, import.meta.url), 'utf8');

test('a database in a PetSet: the plan updates the PetSet, whose template gets the TLS layout and can be put back', async (t) => {
  // No opsflow runs: the OpsRequest is only read, and the activities are called here directly.
  const ns = await createNamespace('petset');
  t.after(() => deleteNamespace(ns));
  await apply(ns, await example('0-issuers.yaml'));
  await apply(ns, await example('1-mysql.yaml'));
  await waitForObject<any, true>(mysql.database, ns, 'mysql', (db) => (db?.status?.phase === 'Ready' ? true : undefined));
  const sts = await kube.apps.readNamespacedStatefulSet({ namespace: ns, name: 'mysql' });
  await kube.custom.createNamespacedCustomObject({
    ...petSet,
    namespace: ns,
    body: { apiVersion: 'apps.k8s.appscode.com/v1', kind: 'PetSet', metadata: { name: 'mysql' }, spec: { replicas: 3, serviceName: 'mysql-pods', selector: sts.spec!.selector, template: sts.spec!.template } },
  });
  await apply(ns, await example('2-add-tls.yaml'));

  const db = { kind: 'MySQL' as const, namespace: ns, name: 'mysql' };
  const outcome = planReconfigureTLS(profiles.MySQL, await readPlanFacts(kube, { kind: 'MySQLOpsRequest', namespace: ns, name: 'myops-add-tls' }, db));
  assert.ok(outcome.ok, JSON.stringify(outcome));
  const planned = outcome.plan.steps.find((s) => s.step.kind === 'updateWorkload')!;
  assert.equal(planned.step.condition, 'UpdatePetSets');
  assert.deepEqual(planned.step.kind === 'updateWorkload' && planned.step.workload, { kind: 'PetSet', name: 'mysql' });

  const activities = createActivities(kube);
  const tlsOf = async () => {
    const ps: any = await kube.custom.getNamespacedCustomObject({ ...petSet, namespace: ns, name: 'mysql' });
    const spec = ps.spec.template.spec;
    return { volumes: (spec.volumes ?? []).map((v: any) => v.name), mounts: (spec.containers[0].volumeMounts ?? []).map((m: any) => `${m.name}:${m.mountPath}`), args: spec.containers[0].args ?? [] };
  };
  if (planned.step.kind !== 'updateWorkload' || planned.undo?.kind !== 'updateWorkload') throw new Error('expected an updateWorkload step with an undo');
  assert.deepEqual(await activities.updateWorkload(db, planned.step.workload, planned.step.tls), { changed: true });
  assert.deepEqual(await tlsOf(), {
    volumes: ['tls-volume'],
    mounts: ['tls-volume:/etc/mysql/certs'],
    args: ['--ssl-capath=/etc/mysql/certs', '--ssl-ca=/etc/mysql/certs/ca.crt', '--ssl-cert=/etc/mysql/certs/server.crt', '--ssl-key=/etc/mysql/certs/server.key', '--require-secure-transport=ON'],
  });
  assert.deepEqual(await activities.updateWorkload(db, planned.step.workload, planned.step.tls), { changed: false }, 'applying it again changes nothing');
  assert.equal((await kube.apps.readNamespacedStatefulSet({ namespace: ns, name: 'mysql' })).metadata!.generation, sts.metadata!.generation, 'the StatefulSet is left alone');

  await activities.updateWorkload(db, planned.undo.workload, planned.undo.tls);
  assert.deepEqual(await tlsOf(), { volumes: [], mounts: [], args: [] }, 'the undo puts the PetSet back');
});
