// A user walking through KubeDB's reconfigure-TLS guide for one kind, with the guide's own YAML
// (deploy/examples/reconfigure-tls/<kind>/): add TLS → rotate → update → change issuer → remove, each step
// starting from what the one before left. After each: the OpsRequest's phase and conditions, the Certificates
// and what their Secrets hold, the pod template as it was while the database was paused, every recreated pod's
// spec and revision, the restart order and count, the database spec, and the database resumed.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import type { V1Pod, V1PodTemplateSpec, V1StatefulSet } from '@kubernetes/client-node';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { opsRequestWorkflowId } from '../../client/workflow-ids.ts';
import { pods as podCollection } from '../../platform/kube.ts';
import { probeTLS } from '../../platform/tls-probe.ts';
import { observe } from '../../platform/watch.ts';
import { stateDir } from '../../tools/localenv/paths.ts';
import { readMode } from '../../tools/pod-runtime/mode.ts';
import { apply, conditionOf, createNamespace, deleteNamespace, get, kube, res, waitForObject } from './cluster.ts';
import { isPaused } from './fixtures.ts';
import { startOpsflow, type Opsflow } from './opsflow.ts';
import { PodTimeline } from './pod-timeline.ts';
import { recordHistory } from './record-history.ts';
import type { TLSKind } from './tls-kinds.ts';

const example = (k: TLSKind, file: string) => readFile(new URL(`../../deploy/examples/reconfigure-tls/${k.dir}/${file}`, import.meta.url), 'utf8');
const x509 = (b64: string | undefined) => new X509Certificate(Buffer.from(b64 ?? '', 'base64'));
const selector = (k: TLSKind) => `app.kubernetes.io/instance=${k.db}`;
const realServers = readMode(stateDir)?.enabled === true;

/** What a certificate Secret holds: the leaf and the CA it ships with. */
async function secretCertificate(ns: string, name: string) {
  const s = await kube.core.readNamespacedSecret({ namespace: ns, name });
  return { leaf: x509(s.data?.['tls.crt']), ca: x509(s.data?.['ca.crt']) };
}

async function certificates(ns: string, k: TLSKind) {
  const out = new Map<string, { spec: any; leaf: X509Certificate; ca: X509Certificate }>();
  for (const alias of k.aliases) {
    const cert = await get(res.certificate, ns, `${k.db}-${alias}-cert`);
    out.set(alias, { spec: cert.spec, ...(await secretCertificate(ns, k.secrets[alias])) });
  }
  return out;
}

const caCertificate = async (ns: string, secret: string) => (await secretCertificate(ns, secret)).leaf;

/** The pod template at the first eviction, with whether the database was paused right then. */
class PausedTemplate {
  template?: V1PodTemplateSpec;
  pausedAtFirstEviction?: boolean;
  private readonly stop = new AbortController();
  private readonly done: Promise<void>;

  constructor(ns: string, k: TLSKind) {
    let taken = false;
    this.done = observe<V1Pod>(kube, podCollection(ns), { labelSelector: selector(k) }, async ({ type, object }) => {
      if (taken || type === 'SYNC' || !(type === 'DELETED' || object?.metadata?.deletionTimestamp)) return;
      taken = true;
      const [sts, db] = await Promise.all([kube.apps.readNamespacedStatefulSet({ namespace: ns, name: k.db }), get(k.database, ns, k.db)]);
      this.template = sts.spec!.template;
      this.pausedAtFirstEviction = isPaused(db);
    }, this.stop.signal);
  }

  async close() {
    this.stop.abort();
    await this.done;
  }
}

/** The TLS part of a pod spec, written as the table in tls-kinds.ts writes it. */
function tlsOf(k: TLSKind, spec: V1PodTemplateSpec['spec']) {
  const volumes = new Set(k.mounts.map((m) => m.volume));
  const container = spec!.containers.find((c) => c.name === k.container)!;
  return {
    mounts: (spec!.volumes ?? [])
      .filter((v) => volumes.has(v.name))
      .map((v) => ({
        volume: v.name,
        mountPath: container.volumeMounts?.find((m) => m.name === v.name)?.mountPath,
        items: (v.projected?.sources ?? []).flatMap((s) => (s.secret?.items ?? []).map((i) => `${s.secret!.name}:${i.key}:${i.path}`)),
      })),
    args: (container.args ?? []).filter((a) => a.startsWith('--ssl') || a.startsWith('--require-secure-transport')),
  };
}

function expectedTLS(k: TLSKind, on: boolean, requireSSL: boolean) {
  return on ? { mounts: k.mounts, args: [...k.args, ...(requireSSL ? k.requireSSLArgs : [])] } : { mounts: [], args: [] };
}

export function walkThrough(k: TLSKind): void {
  describe(`${k.kind}: KubeDB's reconfigure-TLS guide, step by step`, () => {
    let ns: string;
    let opsflow: Opsflow;
    let firstCA: X509Certificate;
    let secondCA: X509Certificate;
    const timings: string[] = [];

    before(async () => {
      ns = await createNamespace(`tls-${k.dir}`);
      opsflow = await startOpsflow(ns);
      await apply(ns, await example(k, '0-issuers.yaml'));
      for (const ca of [k.issuers.first.caSecret, k.issuers.second.caSecret]) {
        await waitForObject<any, true>(res.certificate, ns, ca, (c) => (conditionOf(c, 'Ready')?.status === 'True' ? true : undefined));
      }
      firstCA = await caCertificate(ns, k.issuers.first.caSecret);
      secondCA = await caCertificate(ns, k.issuers.second.caSecret);
      await apply(ns, await example(k, `1-${k.dir}.yaml`));
      await waitForObject<any, true>(k.database, ns, k.db, (db) => (db?.status?.phase === 'Ready' ? true : undefined));
    });
    after(async () => {
      console.log(`# ${k.kind}: ${timings.join(', ')}`);
      await opsflow?.stop();
      await deleteNamespace(ns);
    });

    /** Applies an OpsRequest from the guide and follows it to its end, recording the pods and the paused template. */
    async function run(file: string, name: string) {
      const timeline = await PodTimeline.start(ns, selector(k));
      const paused = new PausedTemplate(ns, k);
      const podsBefore = (await kube.core.listNamespacedPod({ namespace: ns, labelSelector: selector(k) })).items;
      const t0 = Date.now();
      await apply(ns, await example(k, file));
      const ops = await waitForObject<any, any>(k.opsRequest, ns, name, (o) => (['Successful', 'Failed', 'Skipped'].includes(o?.status?.phase) ? o : undefined), 240_000);
      timings.push(`${name} ${Date.now() - t0} ms`);
      await timeline.close();
      await paused.close();
      assert.equal(ops.status.phase, 'Successful', JSON.stringify(ops.status.conditions, null, 2));
      // Histories of the planned shape, one of each kind of plan: kept for the replay tests.
      const kept = {
        'ppops-add-tls': 'pgpool-add-tls',
        'myops-update-tls': 'mysql-rotate-and-update',
        'myops-change-issuer': 'mysql-change-issuer',
        'recon-tls-remove': 'proxysql-remove-tls',
        // Recorded later, once each restarted pod was checked and ProxySQL's TLS switched around its restart.
        'recon-tls-add': 'proxysql-add-tls-checked',
        'pxops-rotate-tls': 'perconaxtradb-rotate-checked',
      }[name];
      if (kept) await recordHistory(opsflow.client, opsRequestWorkflowId({ kind: k.opsRequest.kind as 'MySQLOpsRequest', namespace: ns, name }, ops.metadata.uid), kept);
      const names = podsBefore.map((p) => p.metadata!.name!).sort();
      return { ops, timeline, paused, names, primary: podsBefore.find((p) => p.metadata?.labels?.['kubedb.com/role'] === 'primary')?.metadata?.name };
    }

    function assertConditions(ops: any, types: string[], absent: string[] = []) {
      for (const type of types) assert.equal(conditionOf(ops, type)?.status, 'True', `condition ${type}: ${JSON.stringify(ops.status.conditions.map((c: any) => c.type))}`);
      for (const type of absent) assert.equal(conditionOf(ops, type), undefined, `no condition ${type}`);
    }

    /** Every pod restarted exactly once, one at a time (MySQL: the primary last), and now runs the template. */
    async function assertRestarts(r: Awaited<ReturnType<typeof run>>, tls: ReturnType<typeof expectedTLS>) {
      const uids = r.timeline.uidsByPod();
      for (const pod of r.names) assert.equal(uids.get(pod)?.length, 2, `${pod} restarted exactly once: ${uids.get(pod)}`);
      assert.ok(r.timeline.maxDownAtOnce <= 1, `never two pods down at once (saw ${r.timeline.maxDownAtOnce})`);
      if (k.primaryLast) assert.equal(r.timeline.restartOrder().at(-1), r.primary, `the primary (${r.primary}) restarts last: ${r.timeline.restartOrder()}`);
      for (const pod of r.names) assert.ok(conditionOf(r.ops, `EvictPod--${pod}`) && conditionOf(r.ops, `CheckPodRunning--${pod}`), `pod conditions of ${pod}`);
      assert.equal(r.paused.pausedAtFirstEviction, true, 'the first pod restarted while the database was paused');
      assert.deepEqual(tlsOf(k, r.paused.template!.spec), tls, 'the template while paused has the TLS layout KubeDB documents');
      const sts: V1StatefulSet = await kube.apps.readNamespacedStatefulSet({ namespace: ns, name: k.db });
      assert.deepEqual(tlsOf(k, sts.spec!.template.spec), tls, 'the template after resume is the one opsflow wrote');
      for (const pod of (await kube.core.listNamespacedPod({ namespace: ns, labelSelector: selector(k) })).items) {
        assert.deepEqual(tlsOf(k, pod.spec), tls, `${pod.metadata!.name} runs the new template`);
        assert.equal(pod.metadata!.labels!['controller-revision-hash'], sts.status!.updateRevision, `${pod.metadata!.name} is on the StatefulSet's updateRevision`);
      }
      await assertServed(tls.mounts.length > 0);
      const db = await get(k.database, ns, k.db);
      assert.equal(isPaused(db), false, 'the database is resumed');
      return db;
    }

    /** What each pod serves, read by handshake as a client reads it: the certificate its Secret holds, or no TLS. */
    async function assertServed(on: boolean) {
      if (!realServers) return;
      const serial = on ? (await secretCertificate(ns, k.secrets.server)).leaf.serialNumber : undefined;
      for (const pod of (await kube.core.listNamespacedPod({ namespace: ns, labelSelector: selector(k) })).items) {
        const served = await probeTLS(pod.status!.podIP!, k.port, k.kind === 'Pgpool' ? 'postgres' : 'mysql');
        if (on) assert.ok(served.tls && served.certificate.serialNumber === serial, `${pod.metadata!.name} serves serial ${serial}: ${served.tls ? served.certificate.serialNumber : served.detail}`);
        else assert.equal(served.tls, false, `${pod.metadata!.name} serves without TLS`);
      }
    }

    /** A plain-text login as the database's own user: refused while requireSSL is on (MariaDB answers 1045), accepted otherwise. */
    async function assertPlainLogin(accepted: boolean) {
      if (!realServers || (k.kind !== 'MySQL' && k.kind !== 'PerconaXtraDB')) return;
      const auth = await kube.core.readNamespacedSecret({ namespace: ns, name: `${k.db}-auth` });
      const [pod] = (await kube.core.listNamespacedPod({ namespace: ns, labelSelector: selector(k) })).items;
      const login = { host: pod!.status!.podIP!, port: 3306, user: 'root', password: Buffer.from(auth.data!.password, 'base64').toString() };
      if (accepted) await (await mysql.createConnection(login)).end();
      else {
        await assert.rejects(mysql.createConnection(login), /Access denied|secure transport/i, 'a plain-text login is refused');
        await (await mysql.createConnection({ ...login, ssl: { ca: Buffer.from((await kube.core.readNamespacedSecret({ namespace: ns, name: k.secrets.server })).data!['ca.crt'], 'base64').toString(), rejectUnauthorized: false } })).end();
      }
    }

    /** clientAuthMode cert: the client certificate (CN postgres) logs in through pgpool without a password. */
    async function assertCertificateLogin() {
      const [pod] = (await kube.core.listNamespacedPod({ namespace: ns, labelSelector: selector(k) })).items;
      const client = await kube.core.readNamespacedSecret({ namespace: ns, name: k.secrets.client });
      const text = (key: string) => Buffer.from(client.data![key], 'base64').toString();
      for (const deadline = Date.now() + 20_000; ; ) {
        const c = new pg.Client({ host: pod!.status!.podIP!, port: 9999, user: 'postgres', database: 'postgres', ssl: { ca: text('ca.crt'), cert: text('tls.crt'), key: text('tls.key'), rejectUnauthorized: false }, connectionTimeoutMillis: 5000 });
        try {
          await c.connect();
          const { rows } = await c.query('SELECT current_user AS who');
          assert.equal(rows[0].who, 'postgres', 'logged in as the certificate’s CN');
          return;
        } catch (err) {
          // Right after a restart pgpool may not reach its backend yet.
          if (Date.now() > deadline || !/backend 0 connection/.test((err as Error).message)) throw err;
          await new Promise((r) => setTimeout(r, 300));
        } finally {
          await c.end().catch(() => {});
        }
      }
    }

    async function assertRenderedConfig(on: boolean) {
      if (!k.renderedConfig) return;
      const secret = await kube.core.readNamespacedSecret({ namespace: ns, name: k.renderedConfig.secret });
      const conf = Buffer.from(secret.data!['pgpool.conf'], 'base64').toString().split('\n');
      for (const line of on ? k.renderedConfig.tlsOn : k.renderedConfig.tlsOff) assert.ok(conf.includes(line), `pgpool.conf has ${line}`);
      for (const line of on ? k.renderedConfig.tlsOff : k.renderedConfig.tlsOn) assert.ok(!conf.includes(line), `pgpool.conf lacks ${line}`);
      assert.equal(conf.filter((l) => /^ssl\s*=/.test(l)).length, 1, 'pgpool.conf has one ssl key');
    }

    let current: Map<string, { spec: any; leaf: X509Certificate; ca: X509Certificate }>;

    test('add TLS: Certificates from the first issuer, the TLS layout in every pod, the spec recorded', async () => {
      const r = (await run('2-add-tls.yaml', k.ops.add));
      const requireSSL = k.kind === 'MySQL' || k.kind === 'PerconaXtraDB';
      assertConditions(r.ops, ['Running', 'ReconfigureTLS', 'DatabaseReady', 'DatabasePauseSucceeded', 'UpdateCertificates', 'CheckIssuingCondition', 'CertificateSynced', 'UpdateStatefulSets', 'UpdateDatabase', 'RestartPods', 'ResumeDatabase', 'Successful', ...(k.renderedConfig ? ['UpdateConfigSecret'] : [])], ['IssueCertificatesSucceeded']);
      const db = await assertRestarts(r, expectedTLS(k, true, requireSSL));
      assert.equal(db.spec.tls.issuerRef.name, k.issuers.first.name);
      if (requireSSL) assert.equal(db.spec.requireSSL, true);
      await assertPlainLogin(false);
      if (k.kind === 'Pgpool' && realServers) await assertCertificateLogin();
      if (k.kind === 'Pgpool') assert.deepEqual([db.spec.sslMode, db.spec.clientAuthMode], ['require', 'cert']);
      current = await certificates(ns, k);
      for (const [alias, c] of current) {
        assert.equal(c.spec.issuerRef.name, k.issuers.first.name, `${alias}: from the first issuer`);
        assert.ok(c.leaf.verify(firstCA.publicKey), `${alias}: signed by the first CA`);
        assert.equal(c.ca.fingerprint256, firstCA.fingerprint256, `${alias}: ca.crt is the first CA`);
      }
      const server = current.get('server')!.leaf;
      const client = current.get('client')!.leaf;
      if (k.kind === 'MySQL') for (const rdn of ['CN=root', 'OU=client', 'O=mysql']) assert.ok(client.subject.split('\n').includes(rdn), `client subject has ${rdn}: ${client.subject}`);
      if (k.kind === 'PerconaXtraDB') {
        assert.match(server.subject, new RegExp(`CN=sample-pxc\\.${ns}\\.svc`));
        assert.match(server.subject, /O=kubedb:server/);
        assert.ok(server.checkHost('localhost') && server.checkIP('127.0.0.1'), 'the SANs asked for');
      }
      if (k.kind === 'ProxySQL') {
        assert.match(server.subject, /CN=proxy-server/);
        assert.ok(server.checkEmail('tasdid@appscode.com'), 'the email asked for');
      }
      if (k.kind === 'Pgpool') for (const rdn of ['CN=postgres', 'OU=client', 'O=pgpool']) assert.ok(client.subject.split('\n').includes(rdn), `client subject has ${rdn}: ${client.subject}`);
      assert.ok(server.checkHost(`${k.db}.${ns}.svc`) && server.checkHost(`${k.db}-0.${k.db}-pods.${ns}.svc`), 'the server certificate covers the Service and the pods');
      await assertRenderedConfig(true);
    });

    test('the same add TLS again: refused as nothing to change, nothing touched', async () => {
      const before = (await kube.core.listNamespacedPod({ namespace: ns, labelSelector: selector(k) })).items.map((p) => p.metadata!.uid).sort();
      const again = (await example(k, '2-add-tls.yaml')).replace(`name: ${k.ops.add}`, `name: ${k.ops.add}-again`);
      await apply(ns, again);
      const ops = await waitForObject<any, any>(k.opsRequest, ns, `${k.ops.add}-again`, (o) => (['Successful', 'Failed'].includes(o?.status?.phase) ? o : undefined));
      assert.equal(ops.status.phase, 'Failed');
      assert.match(conditionOf(ops, 'Failed').message, /already has exactly this TLS configuration and every pod runs it; nothing to change/);
      assert.equal(conditionOf(ops, 'DatabasePauseSucceeded'), undefined, 'not paused');
      const after = (await kube.core.listNamespacedPod({ namespace: ns, labelSelector: selector(k) })).items.map((p) => p.metadata!.uid).sort();
      assert.deepEqual(after, before, 'no pod restarted');
    });

    test('rotate: a new serial for every certificate, same CA, subject and SANs; the template untouched', async () => {
      const sts = await kube.apps.readNamespacedStatefulSet({ namespace: ns, name: k.db });
      const r = (await run('3-rotate.yaml', k.ops.rotate));
      assertConditions(r.ops, ['DatabasePauseSucceeded', 'IssueCertificatesSucceeded', 'CertificateSynced', 'RestartPods', 'ResumeDatabase', 'Successful'], ['UpdateCertificates', 'UpdateStatefulSets', 'UpdateDatabase']);
      await assertRestarts(r, expectedTLS(k, true, k.kind === 'MySQL' || k.kind === 'PerconaXtraDB'));
      assert.equal((await kube.apps.readNamespacedStatefulSet({ namespace: ns, name: k.db })).metadata!.generation, sts.metadata!.generation, 'the template did not change');
      const now = await certificates(ns, k);
      for (const [alias, c] of now) {
        const old = current.get(alias)!;
        assert.notEqual(c.leaf.serialNumber, old.leaf.serialNumber, `${alias}: new serial`);
        assert.equal(c.leaf.subject, old.leaf.subject, `${alias}: same subject`);
        assert.equal(c.leaf.subjectAltName, old.leaf.subjectAltName, `${alias}: same SANs`);
        assert.ok(c.leaf.verify(firstCA.publicKey), `${alias}: same CA`);
      }
      current = now;
    });

    test('update the certificates: the request merged by alias over what the database has, re-issued, pods restarted', async () => {
      const r = (await run('4-update.yaml', k.ops.update));
      assertConditions(r.ops, ['UpdateCertificates', 'CertificateSynced', 'UpdateDatabase', 'RestartPods', 'Successful']);
      const db = await assertRestarts(r, expectedTLS(k, true, k.kind === 'MySQL' || k.kind === 'PerconaXtraDB'));
      const now = await certificates(ns, k);
      const server = now.get('server')!.leaf;
      const changed = k.kind === 'MySQL' ? k.aliases : k.kind === 'ProxySQL' ? ['server', 'client'] : ['server'];
      for (const [alias, c] of now) {
        if (changed.includes(alias)) assert.notEqual(c.leaf.serialNumber, current.get(alias)!.leaf.serialNumber, `${alias}: re-issued`);
        else assert.equal(c.leaf.serialNumber, current.get(alias)!.leaf.serialNumber, `${alias}: unchanged`);
      }
      const entry = (alias: string) => db.spec.tls.certificates.find((c: any) => c.alias === alias);
      if (k.kind === 'MySQL') {
        assert.ok(server.checkEmail('dba@example.com'));
        assert.deepEqual(entry('client').subject, { organizations: ['mysql'], organizationalUnits: ['client'] }, 'the client entry of add TLS is kept');
      }
      if (k.kind === 'PerconaXtraDB') {
        assert.ok(server.checkEmail('kubedb@appscode.com'));
        assert.ok(server.checkHost('localhost') && server.checkIP('127.0.0.1'), 'the SANs of add TLS are kept');
        assert.deepEqual(entry('server').dnsNames, ['localhost'], 'merged by alias: dnsNames kept in the spec');
      }
      if (k.kind === 'ProxySQL') {
        assert.ok(server.checkEmail('md.alifbiswas@gmail.com') && now.get('client')!.leaf.checkEmail('md.alifbiswas@gmail.com'));
      }
      if (k.kind === 'Pgpool') assert.ok(server.checkHost('pgpool.example.com'));
      current = now;
    });

    test('change the issuer: every certificate re-issued by the second CA, ca.crt included', async () => {
      const r = (await run('5-change-issuer.yaml', k.ops.changeIssuer));
      assertConditions(r.ops, ['UpdateCertificates', 'CertificateSynced', 'UpdateDatabase', 'RestartPods', 'Successful']);
      const db = await assertRestarts(r, expectedTLS(k, true, k.kind === 'MySQL' || k.kind === 'PerconaXtraDB'));
      assert.equal(db.spec.tls.issuerRef.name, k.issuers.second.name);
      for (const [alias, c] of await certificates(ns, k)) {
        assert.equal(c.spec.issuerRef.name, k.issuers.second.name, `${alias}: Certificate repointed`);
        assert.ok(c.leaf.verify(secondCA.publicKey), `${alias}: signed by the second CA`);
        assert.equal(c.ca.fingerprint256, secondCA.fingerprint256, `${alias}: ca.crt is the second CA`);
        assert.equal(c.leaf.subject, current.get(alias)!.leaf.subject, `${alias}: same subject`);
      }
    });

    test('remove TLS: the layout gone from every pod, the spec without TLS, Certificates and Secrets deleted', async () => {
      const r = (await run('6-remove.yaml', k.ops.remove));
      assertConditions(r.ops, ['DatabasePauseSucceeded', 'UpdateStatefulSets', 'UpdateDatabase', 'RestartPods', 'DeleteCertificates', 'ResumeDatabase', 'Successful'], ['UpdateCertificates', 'CertificateSynced', 'IssueCertificatesSucceeded']);
      const db = await assertRestarts(r, expectedTLS(k, false, false));
      assert.equal(db.spec.tls, undefined);
      assert.equal(db.spec.requireSSL, undefined);
      if (k.kind === 'Pgpool') assert.deepEqual([db.spec.sslMode, db.spec.clientAuthMode], ['disable', 'md5']);
      for (const alias of k.aliases) {
        await assert.rejects(get(res.certificate, ns, `${k.db}-${alias}-cert`), /404|not found/i, `Certificate of ${alias} deleted`);
        await assert.rejects(kube.core.readNamespacedSecret({ namespace: ns, name: k.secrets[alias] }), /404|not found/i, `Secret of ${alias} deleted`);
      }
      await assertRenderedConfig(false);
      await assertPlainLogin(true);
    });
  });
}
