// Smoke tests of the local environment itself (tools/localenv): does each piece the e2e tests rely on do its
// job? KubeDB's provisioner stand-in + the StatefulSet controller + kwok (a database gets Ready pods), the
// Eviction API + StatefulSet controller (an evicted pod comes back), the disruption controller (a PDB is
// enforced), cert-manager's stand-in (a CA Issuer issues and re-issues), and Temporal (a workflow runs on a
// worker with opsflow's bundle, and the search attributes are registered). Each test works in a namespace of
// its own and says in a comment what breaks it.
import assert from 'node:assert/strict';
import { X509Certificate, randomBytes } from 'node:crypto';
import { test, type TestContext } from 'node:test';
import { PolicyV1Api, type V1Pod, type V1PodDisruptionBudget, type V1Secret, type V1StatefulSet } from '@kubernetes/client-node';
import { ApplicationFailure, WorkflowFailedError } from '@temporalio/client';
import { mergePatch, pods, statusCode, type Collection } from '../../platform/kube.ts';
import { waitFor, type Selector, type Watched } from '../../platform/watch.ts';
import { conditionOf, createNamespace, deleteNamespace, kube, res } from '../helpers/cluster.ts';
import { caSecretName, createCAIssuer, issuerName, waitForDatabaseReady } from '../helpers/fixtures.ts';

const WAIT_MS = 30_000;
const TEST = { timeout: 90_000 };
const simulatedNode = 'kwok-node-0';
const policy = kube.config.makeApiClient(PolicyV1Api);

const statefulSets = (namespace: string): Collection => ({ apiVersion: 'apps/v1', kind: 'StatefulSet', plural: 'statefulsets', namespace });
const pdbs = (namespace: string): Collection => ({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', plural: 'poddisruptionbudgets', namespace });
const certificates = (namespace: string): Collection => ({ apiVersion: 'cert-manager.io/v1', kind: 'Certificate', plural: 'certificates', namespace });
const byName = (name: string): Selector => ({ fieldSelector: `metadata.name=${name}` });

/** A fresh namespace, deleted when the test ends (whatever its outcome). */
async function namespaceFor(t: TestContext): Promise<string> {
  const ns = await createNamespace('smoke');
  t.after(() => deleteNamespace(ns));
  return ns;
}

/**
 * `waitFor` with a timeout whose error says what was awaited and what was last seen, rather than a bare
 * TimeoutError.
 */
async function waitUntil<T extends Watched, R>(
  what: string,
  collection: Collection,
  selector: Selector,
  check: (objects: T[]) => R | undefined,
  show: (o: T) => unknown = (o: any) => ({ name: o.metadata?.name, status: o.status }),
  timeoutMs = WAIT_MS,
): Promise<R> {
  let last: T[] = [];
  try {
    return await waitFor<T, R>(kube, collection, selector, (objects) => check((last = objects)), AbortSignal.timeout(timeoutMs));
  } catch (err) {
    if ((err as Error)?.name !== 'TimeoutError') throw err;
    throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last seen: ${JSON.stringify(last.map(show)).slice(0, 3000)}`);
  }
}

const isReady = (pod: V1Pod) =>
  !pod.metadata?.deletionTimestamp && (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
const showPod = (p: V1Pod) => ({
  name: p.metadata?.name,
  uid: p.metadata?.uid,
  node: p.spec?.nodeName,
  phase: p.status?.phase,
  ready: isReady(p),
  deleting: Boolean(p.metadata?.deletionTimestamp),
  role: p.metadata?.labels?.['kubedb.com/role'],
});

/** A 3-member group-replication MySQL without TLS, replicas defaulted from the topology. */
async function createMySQL(namespace: string, name: string): Promise<void> {
  await kube.objects.create({
    apiVersion: 'kubedb.com/v1',
    kind: 'MySQL',
    metadata: { name, namespace },
    spec: {
      version: '8.0.35',
      topology: { mode: 'GroupReplication' },
      storageType: 'Durable',
      storage: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
      deletionPolicy: 'WipeOut',
    },
  } as any);
}

/** Resolves with the database's 3 pods once all are Ready and every one has a role. */
const waitForRoledPods = (namespace: string, db: string) =>
  waitUntil<V1Pod, V1Pod[]>(
    `3 Ready pods of ${db}, each with a kubedb.com/role`,
    pods(namespace),
    { labelSelector: `app.kubernetes.io/instance=${db}` },
    (ps) => (ps.length === 3 && ps.every((p) => isReady(p) && p.metadata?.labels?.['kubedb.com/role']) ? ps : undefined),
    showPod,
  );

/** A Ready MySQL with its 3 pods up, for the tests that need pods to act on. */
async function readyMySQL(namespace: string, db = 'smoke-db'): Promise<V1Pod[]> {
  await createMySQL(namespace, db);
  const ps = await waitForRoledPods(namespace, db);
  await waitForDatabaseReady(namespace, db, WAIT_MS);
  return ps.sort((a, b) => a.metadata!.name!.localeCompare(b.metadata!.name!));
}

const evict = (namespace: string, name: string) =>
  kube.core.createNamespacedPodEviction({
    namespace,
    name,
    body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace } },
  });

/** Resolves with the pod `name` once one with a UID other than `oldUid` is Ready. */
const waitForReplacement = (namespace: string, name: string, oldUid: string) =>
  waitUntil<V1Pod, V1Pod>(
    `pod ${name} back with a UID other than ${oldUid}, Ready`,
    pods(namespace),
    byName(name),
    ([p]) => (p && p.metadata?.uid !== oldUid && isReady(p) ? p : undefined),
    showPod,
  );

// Breaks when: the kubedb-provisioner stand-in is not running or does not create the StatefulSet as KubeDB does
// (name, OnDelete, replicas from the topology) or never sets the phase or the roles; the StatefulSet controller
// is not running (no pods); kwok is not running or does not manage kwok-node-0 (pods never Ready).
test('a database object gets its pods Ready', TEST, async (t) => {
  const ns = await namespaceFor(t);
  const db = 'smoke-db';
  await createMySQL(ns, db);

  const sts = await waitUntil<V1StatefulSet, V1StatefulSet>(`StatefulSet ${db}`, statefulSets(ns), byName(db), ([s]) => s);
  assert.equal(sts.spec?.updateStrategy?.type, 'OnDelete');
  assert.equal(sts.spec?.replicas, 3);

  const ps = await waitForRoledPods(ns, db);
  assert.deepEqual(ps.map((p) => p.metadata?.name).sort(), [`${db}-0`, `${db}-1`, `${db}-2`]);
  for (const p of ps) {
    assert.equal(p.spec?.nodeName, simulatedNode, `${p.metadata?.name} runs on ${simulatedNode}`);
    assert.equal(p.status?.phase, 'Running', `${p.metadata?.name} is Running`);
  }
  const primaries = ps.filter((p) => p.metadata?.labels?.['kubedb.com/role'] === 'primary');
  assert.equal(primaries.length, 1, `exactly one primary: ${JSON.stringify(ps.map(showPod))}`);

  const mysql = await waitForDatabaseReady(ns, db, WAIT_MS);
  assert.equal(mysql.status.phase, 'Ready');
});

// Breaks when: the Eviction API does not delete the pod, kwok does not finish the deletion (pod-delete stage),
// the StatefulSet controller does not recreate the pod, or kwok does not make the new pod Ready.
test('an evicted pod returns with a new UID', TEST, async (t) => {
  const ns = await namespaceFor(t);
  const [, victim] = await readyMySQL(ns);
  const name = victim.metadata!.name!;
  const oldUid = victim.metadata!.uid!;

  await evict(ns, name);
  const back = await waitForReplacement(ns, name, oldUid);
  assert.notEqual(back.metadata?.uid, oldUid);
  assert.equal(back.spec?.nodeName, simulatedNode);
  assert.ok(isReady(back));
});

// Breaks when: the disruption controller is not running (the PDB's status is never observed: the wait times
// out), or the API server does not enforce the budget (minAvailable 3 → the eviction goes through, no 429), or
// the budget's arithmetic is wrong (minAvailable 2 with 3 healthy → the eviction is refused).
test('a PodDisruptionBudget refuses an eviction that would break it', TEST, async (t) => {
  const ns = await namespaceFor(t);
  const db = 'smoke-db';
  const ps = await readyMySQL(ns, db);
  const pdbName = `${db}-pdb`;
  const minAvailable = ps.length;

  await policy.createNamespacedPodDisruptionBudget({
    namespace: ns,
    body: {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: pdbName },
      spec: { minAvailable, selector: { matchLabels: { 'app.kubernetes.io/instance': db } } },
    },
  });
  const observed = await waitUntil<V1PodDisruptionBudget, V1PodDisruptionBudget>(
    `PDB ${pdbName} observed by the disruption controller`,
    pdbs(ns),
    byName(pdbName),
    ([p]) => (p && (p.status?.observedGeneration ?? 0) >= 1 && p.status?.expectedPods === 3 ? p : undefined),
  );
  assert.equal(observed.status?.disruptionsAllowed, 0, `minAvailable ${minAvailable} of 3 allows no disruption`);

  // Refused: evicting any pod would leave fewer than minAvailable.
  const [victim] = ps;
  const name = victim.metadata!.name!;
  await assert.rejects(evict(ns, name), (err) => {
    assert.equal(statusCode(err), 429, `expected 429 Too Many Requests, got ${statusCode(err)}: ${String(err)}`);
    return true;
  });
  const still = await kube.core.readNamespacedPod({ namespace: ns, name });
  assert.equal(still.metadata?.uid, victim.metadata?.uid, 'the pod was not replaced');
  assert.ok(!still.metadata?.deletionTimestamp, 'the pod is not being deleted');

  // Allowed: with minAvailable 2 and all 3 healthy, one disruption is allowed and the eviction goes through.
  const patched = await policy.patchNamespacedPodDisruptionBudget({ namespace: ns, name: pdbName, body: { spec: { minAvailable: 2 } } }, mergePatch);
  const generation = patched.metadata!.generation!;
  await waitUntil<V1PodDisruptionBudget, V1PodDisruptionBudget>(
    `PDB ${pdbName} generation ${generation} observed with one disruption allowed`,
    pdbs(ns),
    byName(pdbName),
    ([p]) =>
      p && (p.status?.observedGeneration ?? 0) >= generation && p.status?.currentHealthy === 3 && p.status?.disruptionsAllowed === 1 ? p : undefined,
  );
  await evict(ns, name);
  await waitForReplacement(ns, name, victim.metadata!.uid!);
});

// Breaks when: the cert-manager stand-in is not running (Certificate never Ready), does not sign with the CA
// Issuer's key pair (issuer/verify checks), writes the Secret unlike cert-manager (type, keys, names), ignores
// Issuing=True (revision stays 1), or re-issues without a new serial or with another CA.
test('a Certificate for a CA Issuer is issued, and re-issued on Issuing=True with a new serial from the same CA', TEST, async (t) => {
  const ns = await namespaceFor(t);
  const issuer = issuerName;
  const name = 'smoke-cert';
  const secretName = 'smoke-cert-tls';
  const commonName = 'smoke.example.com';
  const dnsNames = [commonName, `smoke.${ns}.svc`];
  await createCAIssuer(ns);
  await kube.objects.create({
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: { name, namespace: ns },
    spec: { commonName, dnsNames, secretName, issuerRef: { name: issuer, kind: 'Issuer', group: 'cert-manager.io' } },
  } as any);

  const showCert = (c: any) => ({ name: c.metadata?.name, revision: c.status?.revision, conditions: c.status?.conditions });
  const issued = await waitUntil<any, any>(
    `Certificate ${name} Ready`,
    certificates(ns),
    byName(name),
    ([c]) => (conditionOf(c, 'Ready')?.status === 'True' ? c : undefined),
    showCert,
  );
  assert.equal(issued.status.revision, 1);

  // The CA as the Issuer holds it (its own Secret), to check the leaf against independently of the leaf's ca.crt.
  const caSecret = await kube.core.readNamespacedSecret({ namespace: ns, name: caSecretName });
  const ca = new X509Certificate(Buffer.from(caSecret.data!['tls.crt'], 'base64'));
  assert.equal(ca.ca, true, 'the Issuer signs with a CA certificate');

  const read = async () => {
    const s = await kube.core.readNamespacedSecret({ namespace: ns, name: secretName });
    return { secret: s, cert: new X509Certificate(Buffer.from(s.data!['tls.crt'], 'base64')) };
  };
  const checkSecret = (s: V1Secret, cert: X509Certificate, when: string) => {
    assert.equal(s.type, 'kubernetes.io/tls', when);
    for (const key of ['tls.crt', 'tls.key', 'ca.crt']) assert.ok(s.data?.[key], `${when}: Secret has ${key}`);
    assert.match(cert.subject, new RegExp(`^CN=${commonName.replaceAll('.', '\\.')}$`, 'm'), when);
    for (const dns of dnsNames) assert.ok(cert.subjectAltName?.split(', ').includes(`DNS:${dns}`), `${when}: SAN ${dns} in ${cert.subjectAltName}`);
    assert.equal(cert.issuer, ca.subject, `${when}: issued by the CA`);
    assert.ok(cert.verify(ca.publicKey), `${when}: signed with the CA's key`);
    const caCrt = new X509Certificate(Buffer.from(s.data!['ca.crt'], 'base64'));
    assert.equal(caCrt.fingerprint256, ca.fingerprint256, `${when}: ca.crt is the Issuer's CA`);
  };
  const first = await read();
  checkSecret(first.secret, first.cert, 'first issuance');

  // What `cmctl renew` does: Issuing=True on the status subresource (a merge patch replaces the whole list).
  const issuing = {
    type: 'Issuing',
    status: 'True',
    reason: 'ManuallyTriggered',
    message: 'Certificate re-issuance manually triggered',
    lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
  };
  await kube.custom.patchNamespacedCustomObjectStatus(
    {
      group: res.certificate.group,
      version: res.certificate.version,
      namespace: ns,
      plural: res.certificate.plural,
      name,
      body: { status: { conditions: [...(issued.status.conditions ?? []).filter((c: any) => c.type !== 'Issuing'), issuing] } },
    },
    mergePatch,
  );
  const reissued = await waitUntil<any, any>(
    `Certificate ${name} at revision 2, Issuing gone, Ready`,
    certificates(ns),
    byName(name),
    ([c]) => (c?.status?.revision === 2 && !conditionOf(c, 'Issuing') && conditionOf(c, 'Ready')?.status === 'True' ? c : undefined),
    showCert,
  );
  assert.equal(reissued.status.revision, 2);

  const second = await read();
  checkSecret(second.secret, second.cert, 're-issuance');
  assert.notEqual(second.cert.serialNumber, first.cert.serialNumber, 'a new serial');
  assert.equal(second.cert.issuer, first.cert.issuer, 'the same CA');
});

// Breaks when: the Temporal dev server is not reachable, no worker can poll the task queue with opsflow's
// workflow bundle (the run times out instead of failing on its input), the bundle lacks opsRequestWorkflow
// or its input check, or the dev server was started without opsflow's search attributes.
test('a workflow runs on the dev server', TEST, async (t) => {
  const ns = await namespaceFor(t);
  // Loaded here, not at the top: importing it installs the Temporal Runtime, which keeps the process alive
  // (and takes over SIGTERM) until a worker has run and shut down, so a run of only the other tests would hang.
  const { startOpsflow } = await import('../helpers/opsflow.ts');
  const opsflow = await startOpsflow(ns, { watcher: false });
  t.after(() => opsflow.stop());
  const { client, temporal } = opsflow;

  const workflowId = `smoke-${ns}-${randomBytes(3).toString('hex')}`;
  await assert.rejects(
    client.workflow.execute('opsRequestWorkflow', {
      taskQueue: temporal.taskQueue,
      workflowId,
      args: [{ kind: 'Nope', namespace: 'x', name: 'y' }],
      // Without a worker the run would wait forever: bound it so the failure is the timeout, not a hang.
      workflowExecutionTimeout: '30s',
    }),
    (err) => {
      assert.ok(err instanceof WorkflowFailedError, `expected WorkflowFailedError, got ${String(err)}`);
      assert.ok(err.cause instanceof ApplicationFailure, `expected an ApplicationFailure cause, got ${String(err.cause)}`);
      assert.match(err.cause.message, /input\.kind/);
      assert.equal(err.cause.type, 'InvalidInput');
      return true;
    },
  );

  const { customAttributes } = await client.connection.operatorService.listSearchAttributes({ namespace: temporal.namespace });
  for (const name of ['OpsDatabase', 'OpsRequest', 'OpsType', 'OpsPhase']) {
    assert.ok(name in (customAttributes ?? {}), `search attribute ${name} is registered (have: ${Object.keys(customAttributes ?? {})})`);
  }
});
