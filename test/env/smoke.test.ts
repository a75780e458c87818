// Smoke tests of the local environment itself (tools/localenv): does each piece the e2e tests rely on do its
// job? KubeDB's provisioner stand-in + the StatefulSet controller + kwok (a database gets Ready pods), the
// Eviction API + StatefulSet controller (an evicted pod comes back), the disruption controller (a PDB is
// enforced), cert-manager's controller and webhook (a CA Issuer issues, re-issues, honours the spec, fails and
// refuses as cert-manager does), and Temporal (a workflow runs on a worker with opsflow's bundle, and the search
// attributes are registered). Each test works in a namespace of its own and says in a comment what breaks it.
import assert from 'node:assert/strict';
import { X509Certificate, generateKeyPairSync, randomBytes } from 'node:crypto';
import { test, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { PolicyV1Api, type V1Pod, type V1PodDisruptionBudget, type V1Secret, type V1StatefulSet } from '@kubernetes/client-node';
import { ApplicationFailure, WorkflowFailedError } from '@temporalio/client';
import { apiMessage, mergePatch, pods, statusCode, type Collection } from '../../platform/kube.ts';
import { waitFor, type Selector, type Watched } from '../../platform/watch.ts';
import { conditionOf, createNamespace, deleteNamespace, get, kube, res } from '../helpers/cluster.ts';
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

// cert-manager (its real controller and webhook): helpers for the tests below. A Certificate is created as a user
// would; waits watch it; `renew` sets Issuing=True as `cmctl renew` does.
const certificateRequests = (namespace: string): Collection => ({ apiVersion: 'cert-manager.io/v1', kind: 'CertificateRequest', plural: 'certificaterequests', namespace });
const issuerRef = (name: string) => ({ name, kind: 'Issuer', group: 'cert-manager.io' });
const showCert = (c: any) => ({ name: c.metadata?.name, spec: c.spec, status: c.status });
const cm = { group: res.certificate.group, version: res.certificate.version };

const createCertificate = (namespace: string, name: string, spec: Record<string, unknown>) =>
  kube.objects.create({ apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name, namespace }, spec } as any);

const patchCertificate = (namespace: string, name: string, spec: Record<string, unknown>) =>
  kube.custom.patchNamespacedCustomObject({ ...cm, plural: 'certificates', namespace, name, body: { spec } }, mergePatch);

/** Resolves with the Certificate once `check` accepts it. */
const waitForCertificate = (namespace: string, name: string, what: string, check: (c: any) => boolean) =>
  waitUntil<any, any>(`Certificate ${name} ${what}`, certificates(namespace), byName(name), ([c]) => (c && check(c) ? c : undefined), showCert);

/** Issued and settled at `revision`: Ready, no issuance in flight. */
const issuedAt = (revision: number) => (c: any) =>
  c.status?.revision === revision && !conditionOf(c, 'Issuing') && conditionOf(c, 'Ready')?.status === 'True';

/** The CertificateRequest cert-manager made for a Certificate's `revision`, once `check` accepts it. */
const waitForRequest = (namespace: string, certificate: string, revision: number, what: string, check: (cr: any) => boolean) =>
  waitUntil<any, any>(
    `CertificateRequest of ${certificate} revision ${revision} ${what}`,
    certificateRequests(namespace),
    {},
    (crs) =>
      crs.find(
        (cr) =>
          cr.metadata?.annotations?.['cert-manager.io/certificate-name'] === certificate &&
          cr.metadata?.annotations?.['cert-manager.io/certificate-revision'] === String(revision) &&
          check(cr),
      ),
  );

/** What `cmctl renew` does: Issuing=True, reason ManuallyTriggered, on the status subresource. */
async function renew(namespace: string, name: string): Promise<void> {
  const current = await get<any>(res.certificate, namespace, name);
  const issuing = {
    type: 'Issuing',
    status: 'True',
    reason: 'ManuallyTriggered',
    message: 'Certificate re-issuance manually triggered',
    lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
  };
  // A merge patch replaces the whole list: keep the other conditions.
  const conditions = [...(current.status?.conditions ?? []).filter((c: any) => c.type !== 'Issuing'), issuing];
  await kube.custom.patchNamespacedCustomObjectStatus({ ...cm, plural: 'certificates', namespace, name, body: { status: { conditions } } }, mergePatch);
}

async function readTLS(namespace: string, name: string) {
  const secret = await kube.core.readNamespacedSecret({ namespace, name });
  const text = (key: string) => Buffer.from(secret.data?.[key] ?? '', 'base64').toString('utf8');
  return { secret, cert: new X509Certificate(text('tls.crt')), key: text('tls.key'), caCrt: text('ca.crt') };
}

/** The CA Issuer of deploy/examples/mysql-tls/1-issuer.yaml, once it is Ready; its CA certificate and key. */
async function readyCAIssuer(namespace: string) {
  await createCAIssuer(namespace);
  await waitUntil<any, any>(
    `Issuer ${issuerName} Ready`,
    { apiVersion: 'cert-manager.io/v1', kind: 'Issuer', plural: 'issuers', namespace },
    byName(issuerName),
    ([i]) => (conditionOf(i, 'Ready')?.status === 'True' ? i : undefined),
  );
  const ca = await readTLS(namespace, caSecretName);
  assert.equal(ca.cert.ca, true, 'the Issuer signs with a CA certificate');
  return ca;
}

const sans = (cert: X509Certificate) => cert.subjectAltName?.split(', ') ?? [];
const seconds = (date: string | Date) => Math.floor(new Date(date).getTime() / 1000);

// Breaks when: cert-manager's controller is not running (Certificate never Ready), its CertificateRequest
// approver or CA issuer controller is missing (the request is never Approved or never Ready), the webhook's
// mutating configuration is not applied (the validating webhook then refuses every CertificateRequest: "username
// identity must be that of the requester", and nothing is issued), the Secret is not as cert-manager
// writes it (type, keys, subject, SANs, signed by the Issuer's CA, ca.crt), or Issuing=True is ignored (revision
// stays 1) or re-issues without a new serial or from another CA.
test('a Certificate for a CA Issuer is issued, and re-issued on Issuing=True with a new serial from the same CA', TEST, async (t) => {
  const ns = await namespaceFor(t);
  const name = 'smoke-cert';
  const secretName = 'smoke-cert-tls';
  const commonName = 'smoke.example.com';
  const dnsNames = [commonName, `smoke.${ns}.svc`];
  const ca = await readyCAIssuer(ns);
  await createCertificate(ns, name, { commonName, dnsNames, ipAddresses: ['127.0.0.1'], secretName, issuerRef: issuerRef(issuerName) });

  await waitForCertificate(ns, name, 'issued at revision 1', issuedAt(1));
  const request = await waitForRequest(ns, name, 1, 'Approved and Ready', (cr) => conditionOf(cr, 'Approved')?.status === 'True' && conditionOf(cr, 'Ready')?.status === 'True');
  assert.equal(conditionOf(request, 'Approved').reason, 'cert-manager.io', 'approved by cert-manager’s own approver');
  assert.equal(conditionOf(request, 'Ready').reason, 'Issued');
  assert.ok(request.spec.username, 'the webhook recorded who requested it (spec.username)');

  const check = (tls: Awaited<ReturnType<typeof readTLS>>, when: string) => {
    assert.equal(tls.secret.type, 'kubernetes.io/tls', when);
    for (const key of ['tls.crt', 'tls.key', 'ca.crt']) assert.ok(tls.secret.data?.[key], `${when}: Secret has ${key}`);
    assert.match(tls.cert.subject, new RegExp(`^CN=${commonName.replaceAll('.', '\\.')}$`, 'm'), when);
    for (const san of [...dnsNames.map((d) => `DNS:${d}`), 'IP Address:127.0.0.1']) assert.ok(sans(tls.cert).includes(san), `${when}: SAN ${san} in ${tls.cert.subjectAltName}`);
    assert.equal(sans(tls.cert).length, 3, `${when}: only the SANs asked for: ${tls.cert.subjectAltName}`);
    assert.equal(tls.cert.issuer, ca.cert.subject, `${when}: issued by the CA`);
    assert.ok(tls.cert.verify(ca.cert.publicKey), `${when}: signed with the CA's key`);
    assert.equal(new X509Certificate(tls.caCrt).fingerprint256, ca.cert.fingerprint256, `${when}: ca.crt is the Issuer's CA`);
  };
  const first = await readTLS(ns, secretName);
  check(first, 'first issuance');

  await renew(ns, name);
  await waitForCertificate(ns, name, 'issued at revision 2', issuedAt(2));
  await waitForRequest(ns, name, 2, 'Ready', (cr) => conditionOf(cr, 'Ready')?.status === 'True');
  const second = await readTLS(ns, secretName);
  check(second, 're-issuance');
  assert.notEqual(second.cert.serialNumber, first.cert.serialNumber, 'a new serial');
  assert.equal(second.cert.issuer, first.cert.issuer, 'the same CA');
});

// Breaks when: the issued certificate is not valid for exactly spec.duration, status.renewalTime is not
// notAfter - renewBefore, notBefore is backdated before the CertificateRequest was made (cert-manager uses the
// signing time), a change of renewBefore alone re-issues (it only moves renewalTime), or a changed dnsNames or
// duration is not re-issued.
test('duration and renewBefore are honoured; a changed spec is re-issued, renewBefore alone is not', TEST, async (t) => {
  const ns = await namespaceFor(t);
  const name = 'timed';
  const secretName = 'timed-tls';
  await readyCAIssuer(ns);
  await createCertificate(ns, name, { dnsNames: ['a.example.com'], duration: '2h', renewBefore: '30m', secretName, issuerRef: issuerRef(issuerName) });

  const issued = await waitForCertificate(ns, name, 'issued at revision 1', issuedAt(1));
  const request = await waitForRequest(ns, name, 1, 'Ready', (cr) => conditionOf(cr, 'Ready')?.status === 'True');
  const first = await readTLS(ns, secretName);
  const notBefore = seconds(first.cert.validFrom);
  const notAfter = seconds(first.cert.validTo);
  assert.equal(notAfter - notBefore, 2 * 3600, 'valid for exactly the duration (2h)');
  assert.equal(seconds(issued.status.notBefore), notBefore, 'status.notBefore is the certificate’s');
  assert.equal(seconds(issued.status.notAfter), notAfter, 'status.notAfter is the certificate’s');
  assert.equal(seconds(issued.status.renewalTime), notAfter - 30 * 60, 'renewal is due renewBefore (30m) before notAfter');
  assert.ok(notBefore >= seconds(request.metadata.creationTimestamp), `not backdated: notBefore ${first.cert.validFrom}, request made ${request.metadata.creationTimestamp}`);

  await patchCertificate(ns, name, { renewBefore: '45m' });
  const moved = await waitForCertificate(ns, name, 'with renewalTime 45m before notAfter', (c) => seconds(c.status?.renewalTime ?? 0) === notAfter - 45 * 60);
  assert.equal(moved.status.revision, 1, 'renewBefore alone does not re-issue');
  assert.equal((await readTLS(ns, secretName)).cert.serialNumber, first.cert.serialNumber, 'the same certificate');

  await patchCertificate(ns, name, { dnsNames: ['a.example.com', 'b.example.com'] });
  await waitForCertificate(ns, name, 'issued at revision 2 after dnsNames changed', issuedAt(2));
  const second = await readTLS(ns, secretName);
  assert.deepEqual(sans(second.cert), ['DNS:a.example.com', 'DNS:b.example.com']);
  assert.notEqual(second.cert.serialNumber, first.cert.serialNumber);

  await patchCertificate(ns, name, { duration: '3h' });
  await waitForCertificate(ns, name, 'issued at revision 3 after duration changed', issuedAt(3));
  const third = await readTLS(ns, secretName);
  assert.equal(seconds(third.cert.validTo) - seconds(third.cert.validFrom), 3 * 3600, 'valid for the new duration (3h)');
});

// Breaks when: privateKey.rotationPolicy is not honoured on re-issue (Always must give a new key, Never must keep
// the one in the Secret), or spec.secretTemplate's labels and annotations are not put on the Secret, or a change
// of secretTemplate alone is not brought onto the Secret or re-issues the certificate.
test('privateKey.rotationPolicy Always gives a new key on re-issue, Never keeps it; secretTemplate lands on the Secret', TEST, async (t) => {
  const ns = await namespaceFor(t);
  await readyCAIssuer(ns);
  const policies = ['Always', 'Never'] as const;
  for (const policy of policies) {
    await createCertificate(ns, policy.toLowerCase(), {
      dnsNames: [`${policy.toLowerCase()}.example.com`],
      secretName: `${policy.toLowerCase()}-tls`,
      privateKey: { rotationPolicy: policy },
      secretTemplate: { labels: { 'example.com/tier': 'gold' }, annotations: { 'example.com/owner': 'db-team' } },
      issuerRef: issuerRef(issuerName),
    });
  }
  const before = new Map<string, Awaited<ReturnType<typeof readTLS>>>();
  for (const policy of policies) {
    const name = policy.toLowerCase();
    await waitForCertificate(ns, name, 'issued at revision 1', issuedAt(1));
    const tls = await readTLS(ns, `${name}-tls`);
    assert.equal(tls.secret.metadata?.labels?.['example.com/tier'], 'gold', `${name}: secretTemplate label`);
    assert.equal(tls.secret.metadata?.annotations?.['example.com/owner'], 'db-team', `${name}: secretTemplate annotation`);
    before.set(policy, tls);
    await renew(ns, name);
  }
  for (const policy of policies) {
    const name = policy.toLowerCase();
    await waitForCertificate(ns, name, 'issued at revision 2', issuedAt(2));
    const after = await readTLS(ns, `${name}-tls`);
    assert.notEqual(after.cert.serialNumber, before.get(policy)!.cert.serialNumber, `${name}: a new certificate`);
    if (policy === 'Always') assert.notEqual(after.key, before.get(policy)!.key, 'Always: a new private key');
    else assert.equal(after.key, before.get(policy)!.key, 'Never: the same private key');
  }

  await patchCertificate(ns, 'never', { secretTemplate: { labels: { 'example.com/tier': 'silver' } } });
  const relabelled = await waitUntil<V1Secret, V1Secret>(
    'Secret never-tls relabelled tier=silver',
    { apiVersion: 'v1', kind: 'Secret', plural: 'secrets', namespace: ns },
    byName('never-tls'),
    ([s]) => (s?.metadata?.labels?.['example.com/tier'] === 'silver' ? s : undefined),
    (s) => ({ name: s.metadata?.name, labels: s.metadata?.labels, annotations: s.metadata?.annotations }),
  );
  assert.ok(relabelled);
  assert.equal((await get<any>(res.certificate, ns, 'never')).status.revision, 2, 'a secretTemplate change alone does not re-issue');
});

// Breaks when: the ValidatingWebhookConfiguration is not applied or does not reach the webhook (the invalid
// Certificates are stored), the webhook is not cert-manager's (other messages), or it refuses valid ones.
test('the webhook refuses an invalid Certificate at admission, with cert-manager’s message', TEST, async (t) => {
  const ns = await namespaceFor(t);
  const refused = async (name: string, spec: Record<string, unknown>, message: RegExp) => {
    await assert.rejects(createCertificate(ns, name, { secretName: `${name}-tls`, issuerRef: issuerRef(issuerName), ...spec }), (err) => {
      assert.equal(statusCode(err), 403, `expected 403 Forbidden, got ${apiMessage(err)}`);
      assert.match(apiMessage(err), /admission webhook "webhook\.cert-manager\.io" denied the request: /);
      assert.match(apiMessage(err), message);
      return true;
    });
    await assert.rejects(get(res.certificate, ns, name), (err) => statusCode(err) === 404);
  };
  await refused(
    'renew-too-late',
    { dnsNames: ['a.example.com'], duration: '1h', renewBefore: '2h' },
    /spec\.renewBefore: Invalid value: .*certificate duration 1h0m0s must be greater than renewBefore 2h0m0s/,
  );
  await refused('no-names', {}, /at least one of commonName .*, dnsNames, emailSANs, ipAddresses, otherNames, or uriSANs must be set/);
  await createCertificate(ns, 'valid', { dnsNames: ['a.example.com'], duration: '2h', renewBefore: '1h', secretName: 'valid-tls', issuerRef: issuerRef(issuerName) });
});

// Breaks when: a CA Issuer whose key does not match its certificate issues anyway (Go's x509.CreateCertificate
// checks the signature against the parent), or the failure is not reported as cert-manager reports it (the
// CertificateRequest Ready=False/Failed; the Certificate's Issuing=False/Failed with the request's message, one
// failed attempt, no Secret), or a manual trigger after the CA is fixed does not issue (cert-manager itself would
// retry only after its backoff of 1 h).
test('a failed issuance is reported on the Certificate as cert-manager reports it', TEST, async (t) => {
  const ns = await namespaceFor(t);
  const ca = await readyCAIssuer(ns);
  // The CA's certificate with a key that is not its own.
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const wrongKey = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  await kube.core.createNamespacedSecret({
    namespace: ns,
    body: { metadata: { name: 'mismatched-ca' }, type: 'kubernetes.io/tls', data: { 'tls.crt': ca.secret.data!['tls.crt'], 'tls.key': Buffer.from(wrongKey).toString('base64') } },
  });
  await kube.objects.create({ apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: { name: 'mismatched', namespace: ns }, spec: { ca: { secretName: 'mismatched-ca' } } } as any);
  const name = 'doomed';
  await createCertificate(ns, name, { dnsNames: ['doomed.example.com'], secretName: 'doomed-tls', issuerRef: issuerRef('mismatched') });

  const signingError = "Error signing certificate: error creating x509 certificate: x509: provided PrivateKey doesn't match parent's PublicKey";
  const failed = await waitForCertificate(ns, name, 'with Issuing=False, reason Failed', (c) => conditionOf(c, 'Issuing')?.reason === 'Failed');
  const { status, reason, message } = conditionOf(failed, 'Issuing');
  assert.deepEqual(
    { status, reason, message },
    { status: 'False', reason: 'Failed', message: `The certificate request has failed to complete and will be retried: ${signingError}` },
  );
  assert.equal(failed.status.failedIssuanceAttempts, 1);
  assert.ok(failed.status.lastFailureTime, 'lastFailureTime is set');
  assert.equal(conditionOf(failed, 'Ready')?.status, 'False');
  const request = await waitForRequest(ns, name, 1, 'failed', (cr) => conditionOf(cr, 'Ready')?.reason === 'Failed');
  assert.deepEqual(
    { status: conditionOf(request, 'Ready').status, message: conditionOf(request, 'Ready').message, failed: Boolean(request.status.failureTime) },
    { status: 'False', message: signingError, failed: true },
  );
  await assert.rejects(kube.core.readNamespacedSecret({ namespace: ns, name: 'doomed-tls' }), (err) => statusCode(err) === 404, 'no Secret');

  // Fixed: the CA's own key. A manual trigger (cmctl renew) issues now. cert-manager tells a failed request of
  // an earlier attempt from the current one by comparing whole-second times (failureTime before the Issuing
  // condition's lastTransitionTime): a trigger within the same second as the failure is failed again at once.
  await kube.core.patchNamespacedSecret({ namespace: ns, name: 'mismatched-ca', body: { data: { 'tls.key': ca.secret.data!['tls.key'] } } }, mergePatch);
  await sleep(Math.max(0, (seconds(request.status.failureTime) + 1) * 1000 - Date.now()));
  await renew(ns, name);
  await waitForCertificate(ns, name, 'issued at revision 1 after the CA was fixed', issuedAt(1));
});

// Breaks when: a CA Issuer whose Secret is missing does not hold issuance back as Pending (what the fixtures'
// holdIssuance relies on) — the request fails instead, or is never made — or issuance does not complete once the
// Secret exists (what releaseIssuance relies on).
test('a CA Issuer whose Secret is missing holds issuance Pending until the Secret exists', TEST, async (t) => {
  const ns = await namespaceFor(t);
  const ca = await readyCAIssuer(ns);
  await kube.objects.create({ apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: { name: 'waiting', namespace: ns }, spec: { ca: { secretName: 'later-ca' } } } as any);
  const name = 'held';
  await createCertificate(ns, name, { dnsNames: ['held.example.com'], secretName: 'held-tls', issuerRef: issuerRef('waiting') });

  const pending = await waitForRequest(ns, name, 1, 'Approved and Pending', (cr) => conditionOf(cr, 'Approved')?.status === 'True' && conditionOf(cr, 'Ready')?.reason === 'Pending');
  assert.equal(conditionOf(pending, 'Ready').status, 'False');
  assert.match(conditionOf(pending, 'Ready').message, /Referenced issuer does not have a Ready status condition|Referenced secret .*later-ca not found/);
  const issuer = await kube.custom.getNamespacedCustomObject({ ...cm, plural: 'issuers', namespace: ns, name: 'waiting' });
  assert.deepEqual(
    { status: conditionOf(issuer, 'Ready')?.status, reason: conditionOf(issuer, 'Ready')?.reason },
    { status: 'False', reason: 'ErrGetKeyPair' },
  );
  assert.equal(conditionOf(await get(res.certificate, ns, name), 'Issuing')?.status, 'True', 'issuance is in flight');

  await kube.core.createNamespacedSecret({ namespace: ns, body: { metadata: { name: 'later-ca' }, type: 'kubernetes.io/tls', data: ca.secret.data } });
  await waitForCertificate(ns, name, 'issued at revision 1 once the Secret exists', issuedAt(1));
  assert.ok((await readTLS(ns, 'held-tls')).cert.verify(ca.cert.publicKey));
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
