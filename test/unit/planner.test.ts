import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { V1PodTemplateSpec } from '@kubernetes/client-node';
import { desiredCertificate } from '../../model/certificates.ts';
import type { Plan, PlanOutcome, Step, StepOf, UndoStep } from '../../model/plan.ts';
import { planReconfigureTLS, planRequest, type PlanFacts } from '../../model/planner.ts';
import { profiles, type DatabaseKind } from '../../model/profiles.ts';
import { tlsLayout, withTLS } from '../../model/tls-layout.ts';
import type { Certificate, Database, OpsRequest, OpsRequestTLS } from '../../model/types.ts';

// ---- facts, made by hand as the activities would read them ----

const ns = 'demo';
const mysqlIssuer = { apiGroup: 'cert-manager.io', kind: 'Issuer', name: 'mysql-issuer' };
const containerName: Record<DatabaseKind, string> = { MySQL: 'mysql', PerconaXtraDB: 'perconaxtradb', ProxySQL: 'proxysql', Pgpool: 'pgpool' };
const dbName: Record<DatabaseKind, string> = { MySQL: 'my-db', PerconaXtraDB: 'px', ProxySQL: 'proxy', Pgpool: 'pp' };

const database = (kind: DatabaseKind, spec: Database['spec'] = {}): Database => ({
  apiVersion: kind === 'Pgpool' ? 'kubedb.com/v1alpha2' : 'kubedb.com/v1',
  kind,
  metadata: { name: dbName[kind], namespace: ns, uid: `uid-${dbName[kind]}`, generation: 1 },
  spec: { version: '1', replicas: kind === 'MySQL' ? 3 : 2, ...spec },
  status: { phase: 'Ready' },
});

const request = (kind: DatabaseKind, tls: OpsRequestTLS, extra: Partial<NonNullable<OpsRequest['spec']>> = {}): OpsRequest => ({
  metadata: { name: 'tls-req', namespace: ns },
  spec: {
    type: 'ReconfigureTLS',
    ...(kind === 'ProxySQL' ? { proxyRef: { name: dbName[kind] } } : { databaseRef: { name: dbName[kind] } }),
    tls,
    ...extra,
  },
});

/** The Certificates KubeDB keeps for `db` (as stored: no undefined fields). */
const certificatesOf = (kind: DatabaseKind, db: Database): Certificate[] =>
  Object.keys(profiles[kind].certificates).map((alias) => {
    const c: Certificate = JSON.parse(JSON.stringify(desiredCertificate(profiles[kind], db, alias)));
    return { ...c, status: { conditions: [{ type: 'Ready', status: 'True' }], revision: 1 } };
  });

const bareTemplate = (kind: DatabaseKind): V1PodTemplateSpec => ({
  metadata: { labels: { 'app.kubernetes.io/instance': dbName[kind] } },
  spec: {
    containers: [{ name: containerName[kind], image: `kubedb/${kind.toLowerCase()}:1`, imagePullPolicy: 'IfNotPresent' }],
    ...(kind === 'Pgpool' ? { volumes: [{ name: 'pgpool-config', secret: { secretName: 'pp-config' } }] } : {}),
  },
});
/** The template as it is on the server for `db` (with the API server's defaults). */
const templateOf = (kind: DatabaseKind, db: Database): V1PodTemplateSpec => {
  const t = structuredClone(withTLS(profiles[kind], tlsLayout(profiles[kind], db), bareTemplate(kind)));
  for (const v of t.spec!.volumes ?? []) if (v.projected) v.projected.defaultMode = 420;
  return t;
};

const podsOf = (kind: DatabaseKind, revision = 'rev-1'): PlanFacts['pods'] => {
  const n = dbName[kind];
  if (kind === 'MySQL') {
    // listed as the API returns them, not in restart order
    return [
      { name: 'my-db-2', uid: 'uid-2', role: 'standby', revision },
      { name: 'my-db-0', uid: 'uid-0', role: 'primary', revision },
      { name: 'my-db-1', uid: 'uid-1', role: 'standby', revision },
    ];
  }
  return [
    { name: `${n}-1`, uid: 'uid-1', revision },
    { name: `${n}-0`, uid: 'uid-0', revision },
  ];
};

const pgpoolConf = (ssl: string[]) =>
  [
    "backend_hostname0 = 'pg.demo.svc'",
    'backend_port0 = 5432',
    'enable_pool_hba = on',
    'port = 9999',
    'num_init_children = 5',
    'max_pool = 30',
    'load_balance_mode = on',
    ...ssl,
    "failover_on_backend_error = 'off'",
    "allow_clear_text_frontend_auth = 'false'",
    '',
  ].join('\n');
const sslOff = ["ssl = 'off'"];
const sslOn = ['ssl = on', "ssl_cert = '/opt/pgpool-II/tls/tls.crt'", "ssl_key = '/opt/pgpool-II/tls/tls.key'", "ssl_ca_cert = '/opt/pgpool-II/tls/ca.pem'"];
const hbaHead = '# TYPE   DATABASE  USER  ADDRESS    METHOD\nlocal    all       all              trust\n';
const hba = {
  md5: `${hbaHead}host     all       all   0.0.0.0/0  md5\n`,
  md5TLS: `${hbaHead}hostssl  all       all   0.0.0.0/0  md5\nhost     all       all   0.0.0.0/0  md5\n`,
  certTLS: `${hbaHead}hostssl  all       all   0.0.0.0/0  cert\n`,
};

/** The facts of `db` as provisioned and settled: its Certificates, template, pods and configuration match its spec. */
function facts(kind: DatabaseKind, db: Database, tls: OpsRequestTLS, more: Partial<PlanFacts> = {}): PlanFacts {
  const on = Boolean(db.spec?.tls?.issuerRef);
  return {
    ops: request(kind, tls),
    database: db,
    certificates: on ? certificatesOf(kind, db) : [],
    issuers: ['Issuer/mysql-issuer', 'Issuer/pgpool-issuer', 'ClusterIssuer/new-ca'],
    workload: { kind: 'PetSet', name: dbName[kind], template: templateOf(kind, db), updateRevision: 'rev-1' },
    pods: podsOf(kind),
    ...(kind === 'Pgpool'
      ? { renderedConfig: { 'pgpool.conf': pgpoolConf(on ? sslOn : sslOff), 'pool_hba.conf': on ? (db.spec?.clientAuthMode === 'cert' ? hba.certTLS : hba.md5TLS) : hba.md5 } }
      : {}),
    ...more,
  };
}

// ---- reading plans ----

function planOf(got: PlanOutcome): Plan {
  assert.equal(got.ok, true, `expected a plan, got ${JSON.stringify(got)}`);
  if (!got.ok) throw new Error('unreachable');
  return got.plan;
}
/** [kind, condition, undo kind] of each step. */
const outline = (plan: Plan) => plan.steps.map((s) => [s.step.kind, s.step.condition, s.undo?.kind ?? '-']);
const kinds = (plan: Plan) => plan.steps.map((s) => s.step.kind);
function stepOf<K extends Step['kind']>(plan: Plan, kind: K): { step: StepOf<K>; undo?: UndoStep } {
  const found = plan.steps.filter((s) => s.step.kind === kind);
  assert.equal(found.length, 1, `one ${kind} step in ${kinds(plan).join(', ')}`);
  return found[0] as { step: StepOf<K>; undo?: UndoStep };
}
const restartOrder = (plan: Plan) => stepOf(plan, 'restartPods').step.expected.map((p) => (p.role ? `${p.pod}:${p.role}` : p.pod));

function assertRejected(got: PlanOutcome, field: string, words: string[]) {
  assert.equal(got.ok, false, `expected a rejection, got ${got.ok ? kinds(got.plan).join(', ') : ''}`);
  if (got.ok) return;
  assert.equal(got.field, field, got.message);
  for (const w of words) assert.ok(got.message.includes(w), `message ${JSON.stringify(got.message)} lacks ${JSON.stringify(w)}`);
}

/** Deep copy with every object's keys sorted, as the API server returns custom resources. */
const sortedKeys = <T>(v: T): T =>
  Array.isArray(v)
    ? (v.map(sortedKeys) as T)
    : v && typeof v === 'object'
      ? (Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortedKeys((v as Record<string, unknown>)[k])])) as T)
      : v;

const usagesAll = ['digital signature', 'key encipherment', 'server auth', 'client auth'];
const owner = (kind: DatabaseKind) => ({
  apiVersion: kind === 'Pgpool' ? 'kubedb.com/v1alpha2' : 'kubedb.com/v1',
  kind,
  name: dbName[kind],
  uid: `uid-${dbName[kind]}`,
  controller: true,
  blockOwnerDeletion: true,
});
const labels = (kind: DatabaseKind, component = 'database') => ({
  'app.kubernetes.io/component': component,
  'app.kubernetes.io/instance': dbName[kind],
  'app.kubernetes.io/managed-by': 'kubedb.com',
  'app.kubernetes.io/name': `${kind.toLowerCase()}s.kubedb.com`,
});

// ---- add ----

describe('add TLS to a MySQL (guide: requireSSL, issuer, server and client subjects)', () => {
  const addTLS: OpsRequestTLS = {
    requireSSL: true,
    issuerRef: mysqlIssuer,
    certificates: [
      { alias: 'server', subject: { organizations: ['kubedb:server'] }, dnsNames: ['mysql.example.com', '*.wild.example.com'], ipAddresses: ['10.0.0.7'], emailAddresses: ['dev@appscode.com'] },
      { alias: 'client', subject: { organizations: ['mysql'], organizationalUnits: ['client'] } },
    ],
  };
  const db = database('MySQL', { topology: { mode: 'GroupReplication' } });
  const plan = planOf(planReconfigureTLS(profiles.MySQL, facts('MySQL', db, addTLS)));

  test('the steps, their conditions and undos', () => {
    assert.deepEqual(outline(plan), [
      ['waitReady', 'DatabaseReady', '-'],
      ['pause', 'DatabasePauseSucceeded', 'resume'],
      ['setCertificates', 'UpdateCertificates', 'setCertificates'],
      ['issueCertificates', 'CheckIssuingCondition', '-'],
      ['checkCertificates', 'CertificateSynced', '-'],
      ['updateWorkload', 'UpdatePetSets', 'updateWorkload'],
      ['updateDatabase', 'UpdateDatabase', 'updateDatabase'],
      ['restartPods', 'RestartPods', '-'],
      ['resume', 'ResumeDatabase', '-'],
    ]);
    assert.equal(plan.type, 'ReconfigureTLS');
    assert.deepEqual(plan.database, { kind: 'MySQL', namespace: 'demo', name: 'my-db' });
    assert.equal(plan.summary, 'add TLS with certificates from Issuer/mysql-issuer');
    assert.ok(plan.done.message.includes('MySQL demo/my-db'), plan.done.message);
  });

  test('a Certificate is created per alias, undone by deleting it with its Secret', () => {
    const { step, undo } = stepOf(plan, 'setCertificates');
    assert.deepEqual(step.changes.map((c) => (c.action === 'create' ? [c.action, c.certificate.metadata.name] : [c.action])), [
      ['create', 'my-db-server-cert'],
      ['create', 'my-db-client-cert'],
      ['create', 'my-db-metrics-exporter-cert'],
    ]);
    assert.deepEqual(undo, {
      kind: 'setCertificates',
      condition: 'UpdateCertificates',
      label: 'Put the certificates back',
      changes: [
        { action: 'delete', name: 'my-db-server-cert', secretName: 'my-db-server-cert' },
        { action: 'delete', name: 'my-db-client-cert', secretName: 'my-db-client-cert' },
        { action: 'delete', name: 'my-db-metrics-exporter-cert', secretName: 'my-db-metrics-exporter-cert' },
      ],
    });
  });

  test('the server Certificate as KubeDB makes it', () => {
    const change = stepOf(plan, 'setCertificates').step.changes[0]!;
    assert.equal(change.action, 'create');
    if (change.action !== 'create') return;
    assert.deepEqual(change.certificate, {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: { name: 'my-db-server-cert', namespace: 'demo', labels: labels('MySQL'), ownerReferences: [owner('MySQL')] },
      spec: {
        secretName: 'my-db-server-cert',
        issuerRef: { group: 'cert-manager.io', kind: 'Issuer', name: 'mysql-issuer' },
        commonName: 'my-db',
        dnsNames: ['*.my-db-pods.demo.svc', '*.my-db-pods.demo.svc.cluster.local', '*.my-db.demo.svc', 'localhost', 'my-db', 'my-db.demo.svc', 'mysql.example.com', '*.wild.example.com'],
        ipAddresses: ['10.0.0.7'],
        emailAddresses: ['dev@appscode.com'],
        usages: usagesAll,
        subject: { organizations: ['kubedb:server'] },
      },
    });
  });

  test('the client Certificate: CN=root, O=mysql, OU=client', () => {
    const change = stepOf(plan, 'setCertificates').step.changes[1]!;
    assert.ok(change.action === 'create');
    assert.equal(change.certificate.spec.commonName, 'root');
    assert.deepEqual(change.certificate.spec.subject, { organizations: ['mysql'], organizationalUnits: ['client'] });
    assert.equal(change.certificate.spec.dnsNames, undefined);
  });

  test('wait for cert-manager to issue each new Certificate, without triggering', () => {
    assert.deepEqual(stepOf(plan, 'issueCertificates').step.certificates, [
      { name: 'my-db-server-cert', trigger: false },
      { name: 'my-db-client-cert', trigger: false },
      { name: 'my-db-metrics-exporter-cert', trigger: false },
    ]);
  });

  test('check the mounted Secrets: the server one for the names clients use, the client one for client auth', () => {
    const [serverCheck, clientCheck, ...rest] = stepOf(plan, 'checkCertificates').step.secrets;
    assert.deepEqual(rest, []);
    assert.deepEqual({ ...serverCheck!, names: [...serverCheck!.names].sort() }, {
      secretName: 'my-db-server-cert',
      alias: 'server',
      usages: ['server auth'],
      names: ['10.0.0.7', 'localhost', 'my-db', 'my-db-0.my-db-pods.demo.svc', 'my-db-1.my-db-pods.demo.svc', 'my-db-2.my-db-pods.demo.svc', 'my-db.demo.svc', 'mysql.example.com'],
    });
    assert.deepEqual(clientCheck, { secretName: 'my-db-client-cert', alias: 'client', usages: ['client auth'], names: [] });
  });

  test('the workload gets the TLS layout; undo puts the old one back', () => {
    const { step, undo } = stepOf(plan, 'updateWorkload');
    assert.deepEqual(step.workload, { kind: 'PetSet', name: 'my-db' });
    assert.deepEqual(step.tls, { enabled: true, secrets: { server: 'my-db-server-cert', client: 'my-db-client-cert' }, requireSSL: true });
    assert.ok(undo?.kind === 'updateWorkload');
    assert.deepEqual(undo.tls, { enabled: false, secrets: {}, requireSSL: false });
    assert.deepEqual(undo.workload, { kind: 'PetSet', name: 'my-db' });
    assert.equal(undo.condition, 'UpdatePetSets');
  });

  test('the database spec gets tls and requireSSL; undo removes them (null)', () => {
    const { step, undo } = stepOf(plan, 'updateDatabase');
    assert.deepEqual(step.patch, { tls: { issuerRef: mysqlIssuer, certificates: addTLS.certificates }, requireSSL: true });
    assert.ok(undo?.kind === 'updateDatabase');
    assert.deepEqual(undo.patch, { tls: null, requireSSL: null });
  });

  test('restart with the certificates: standbys by ordinal, the primary last', () => {
    assert.equal(stepOf(plan, 'restartPods').step.certificates, true);
    assert.deepEqual(restartOrder(plan), ['my-db-1:standby', 'my-db-2:standby', 'my-db-0:primary']);
  });

  test('the last step resumes, with no undo', () => {
    assert.deepEqual(plan.steps.at(-1), { step: { kind: 'resume', condition: 'ResumeDatabase', label: 'Resume the database' } });
    assert.deepEqual(stepOf(plan, 'pause').undo, plan.steps.at(-1)!.step);
  });

  test('a StatefulSet: UpdateStatefulSets', () => {
    const f = facts('MySQL', db, addTLS);
    f.workload = { ...f.workload!, kind: 'StatefulSet' };
    const p = planOf(planReconfigureTLS(profiles.MySQL, f));
    const { step, undo } = stepOf(p, 'updateWorkload');
    assert.equal(step.condition, 'UpdateStatefulSets');
    assert.equal(undo?.condition, 'UpdateStatefulSets');
    assert.deepEqual(step.workload, { kind: 'StatefulSet', name: 'my-db' });
  });

  test("a user's secretName: created, checked, mounted and deleted on undo under that name", () => {
    const tls = { issuerRef: mysqlIssuer, certificates: [{ alias: 'server', secretName: 'mysql-tls' }] };
    const p = planOf(planReconfigureTLS(profiles.MySQL, facts('MySQL', db, tls)));
    const set = stepOf(p, 'setCertificates');
    assert.ok(set.step.changes[0]!.action === 'create');
    assert.equal(set.step.changes[0].certificate.spec.secretName, 'mysql-tls');
    assert.deepEqual(set.undo?.kind === 'setCertificates' && set.undo.changes[0], { action: 'delete', name: 'my-db-server-cert', secretName: 'mysql-tls' });
    assert.equal(stepOf(p, 'checkCertificates').step.secrets[0]!.secretName, 'mysql-tls');
    assert.deepEqual(stepOf(p, 'updateWorkload').step.tls.secrets, { server: 'mysql-tls', client: 'my-db-client-cert' });
  });

  test('renewBefore goes to the check in milliseconds', () => {
    const tls = { issuerRef: mysqlIssuer, certificates: [{ alias: 'server', duration: '2160h', renewBefore: '360h' }] };
    const p = planOf(planReconfigureTLS(profiles.MySQL, facts('MySQL', db, tls)));
    assert.equal(stepOf(p, 'checkCertificates').step.secrets[0]!.renewBeforeMs, 360 * 3600 * 1000);
    assert.equal(stepOf(p, 'checkCertificates').step.secrets[1]!.renewBeforeMs, undefined);
  });

  test('apply: Always drops waitReady', () => {
    const f = { ...facts('MySQL', db, addTLS), ops: request('MySQL', addTLS, { apply: 'Always' }) };
    assert.deepEqual(kinds(planOf(planReconfigureTLS(profiles.MySQL, f))), ['pause', 'setCertificates', 'issueCertificates', 'checkCertificates', 'updateWorkload', 'updateDatabase', 'restartPods', 'resume']);
  });
});

describe('add TLS to a Pgpool (guide: sslMode require, clientAuthMode cert, client subject)', () => {
  const tls: OpsRequestTLS = {
    sslMode: 'require',
    clientAuthMode: 'cert',
    issuerRef: { apiGroup: 'cert-manager.io', kind: 'Issuer', name: 'pgpool-issuer' },
    certificates: [{ alias: 'client', subject: { organizations: ['pgpool'], organizationalUnits: ['client'] } }],
  };
  const db = database('Pgpool', { sslMode: 'disable', clientAuthMode: 'md5', postgresRef: { name: 'pg', namespace: 'demo' } });
  const plan = planOf(planReconfigureTLS(profiles.Pgpool, facts('Pgpool', db, tls)));

  test('the steps, with the configuration Secret after the workload', () => {
    assert.deepEqual(outline(plan), [
      ['waitReady', 'DatabaseReady', '-'],
      ['pause', 'DatabasePauseSucceeded', 'resume'],
      ['setCertificates', 'UpdateCertificates', 'setCertificates'],
      ['issueCertificates', 'CheckIssuingCondition', '-'],
      ['checkCertificates', 'CertificateSynced', '-'],
      ['updateWorkload', 'UpdatePetSets', 'updateWorkload'],
      ['updateConfig', 'UpdateConfigSecret', 'updateConfig'],
      ['updateDatabase', 'UpdateDatabase', 'updateDatabase'],
      ['restartPods', 'RestartPods', '-'],
      ['resume', 'ResumeDatabase', '-'],
    ]);
  });

  test('server and client Certificates: connection-pooler, client CN postgres', () => {
    const changes = stepOf(plan, 'setCertificates').step.changes;
    assert.deepEqual(changes.map((c) => c.action === 'create' && [c.certificate.metadata.name, c.certificate.spec.commonName, c.certificate.metadata.labels!['app.kubernetes.io/component']]), [
      ['pp-server-cert', 'pp', 'connection-pooler'],
      ['pp-client-cert', 'postgres', 'connection-pooler'],
    ]);
    const client = changes[1]!;
    assert.ok(client.action === 'create');
    assert.deepEqual(client.certificate.spec.subject, { organizations: ['pgpool'], organizationalUnits: ['client'] });
    assert.deepEqual(client.certificate.metadata.ownerReferences, [owner('Pgpool')]);
  });

  test('only the server Secret is mounted and checked', () => {
    const secrets = stepOf(plan, 'checkCertificates').step.secrets;
    assert.deepEqual(secrets.map((s) => [s.secretName, s.alias, s.usages]), [['pp-server-cert', 'server', ['server auth']]]);
    assert.deepEqual([...secrets[0]!.names].sort(), ['localhost', 'pp', 'pp-0.pp-pods.demo.svc', 'pp-1.pp-pods.demo.svc', 'pp.demo.svc']);
  });

  test('updateConfig writes pgpool-config with the new layout, undo with the old', () => {
    const { step, undo } = stepOf(plan, 'updateConfig');
    assert.equal(step.secretName, 'pp-config');
    assert.deepEqual(step.tls, { enabled: true, secrets: { server: 'pp-server-cert' }, requireSSL: false, clientAuthMode: 'cert' });
    assert.ok(undo?.kind === 'updateConfig');
    assert.equal(undo.secretName, 'pp-config');
    assert.deepEqual(undo.tls, { enabled: false, secrets: {}, requireSSL: false, clientAuthMode: 'md5' });
  });

  test('updateDatabase sets tls, sslMode, clientAuthMode; undo restores disable and md5', () => {
    const { step, undo } = stepOf(plan, 'updateDatabase');
    assert.deepEqual(step.patch, { tls: { issuerRef: tls.issuerRef, certificates: tls.certificates }, sslMode: 'require', clientAuthMode: 'cert' });
    assert.ok(undo?.kind === 'updateDatabase');
    assert.deepEqual(undo.patch, { tls: null, sslMode: 'disable', clientAuthMode: 'md5' });
  });

  test('a Pgpool that had no sslMode: verify-full, undone with null', () => {
    const p = planOf(planReconfigureTLS(profiles.Pgpool, facts('Pgpool', database('Pgpool'), { issuerRef: { name: 'pgpool-issuer' } })));
    const { step, undo } = stepOf(p, 'updateDatabase');
    assert.deepEqual(step.patch, { tls: { issuerRef: { name: 'pgpool-issuer' } }, sslMode: 'verify-full' });
    assert.ok(undo?.kind === 'updateDatabase');
    assert.deepEqual(undo.patch, { tls: null, sslMode: null });
  });

  test('restart in ordinal order, with the certificates', () => {
    assert.equal(stepOf(plan, 'restartPods').step.certificates, true);
    assert.deepEqual(restartOrder(plan), ['pp-0', 'pp-1']);
  });

  test('without the configuration Secret read, no updateConfig step', () => {
    const f = facts('Pgpool', db, tls);
    delete f.renderedConfig;
    assert.ok(!kinds(planOf(planReconfigureTLS(profiles.Pgpool, f))).includes('updateConfig'));
  });
});

describe('add TLS to the other kinds', () => {
  const cases: [DatabaseKind, string[], string[]][] = [
    ['PerconaXtraDB', ['px-server-cert', 'px-client-cert', 'px-metrics-exporter-cert'], ['px-0', 'px-1']],
    ['ProxySQL', ['proxy-server-cert', 'proxy-client-cert'], ['proxy-0', 'proxy-1']],
  ];
  for (const [kind, certNames, order] of cases) {
    test(kind, () => {
      const plan = planOf(planReconfigureTLS(profiles[kind], facts(kind, database(kind), { issuerRef: mysqlIssuer })));
      assert.deepEqual(kinds(plan), ['waitReady', 'pause', 'setCertificates', 'issueCertificates', 'checkCertificates', 'updateWorkload', 'updateDatabase', 'restartPods', 'resume']);
      assert.deepEqual(stepOf(plan, 'setCertificates').step.changes.map((c) => c.action === 'create' && c.certificate.metadata.name), certNames);
      assert.deepEqual(stepOf(plan, 'checkCertificates').step.secrets.map((s) => [s.alias, s.usages[0]]), [['server', 'server auth'], ['client', 'client auth']]);
      assert.deepEqual(restartOrder(plan), order);
    });
  }
});

// ---- rotate ----

describe('rotate', () => {
  const cases: [DatabaseKind, Database['spec'], string[]][] = [
    ['MySQL', { tls: { issuerRef: mysqlIssuer }, requireSSL: true }, ['my-db-server-cert', 'my-db-client-cert', 'my-db-metrics-exporter-cert']],
    ['PerconaXtraDB', { tls: { issuerRef: mysqlIssuer } }, ['px-server-cert', 'px-client-cert', 'px-metrics-exporter-cert']],
    ['ProxySQL', { tls: { issuerRef: mysqlIssuer } }, ['proxy-server-cert', 'proxy-client-cert']],
    ['Pgpool', { tls: { issuerRef: { name: 'pgpool-issuer' } }, sslMode: 'verify-full', clientAuthMode: 'md5' }, ['pp-server-cert', 'pp-client-cert']],
  ];
  for (const [kind, spec, names] of cases) {
    test(`${kind}: re-issue every owned Certificate, check, restart; nothing else changes`, () => {
      const plan = planOf(planReconfigureTLS(profiles[kind], facts(kind, database(kind, spec), { rotateCertificates: true })));
      assert.deepEqual(outline(plan), [
        ['waitReady', 'DatabaseReady', '-'],
        ['pause', 'DatabasePauseSucceeded', 'resume'],
        ['issueCertificates', 'IssueCertificatesSucceeded', '-'],
        ['checkCertificates', 'CertificateSynced', '-'],
        ['restartPods', 'RestartPods', '-'],
        ['resume', 'ResumeDatabase', '-'],
      ]);
      assert.deepEqual(stepOf(plan, 'issueCertificates').step.certificates, names.map((name) => ({ name, trigger: true })));
      assert.equal(stepOf(plan, 'restartPods').step.certificates, true);
      assert.equal(plan.summary, 'rotate the certificates');
    });
  }

  test('MySQL: the primary restarts last', () => {
    const plan = planOf(planReconfigureTLS(profiles.MySQL, facts('MySQL', database('MySQL', { tls: { issuerRef: mysqlIssuer } }), { rotateCertificates: true })));
    assert.deepEqual(restartOrder(plan), ['my-db-1:standby', 'my-db-2:standby', 'my-db-0:primary']);
  });

  test('Certificates as read back from the API server (keys sorted) need no change', () => {
    const db = database('MySQL', { tls: { issuerRef: mysqlIssuer } });
    const f = facts('MySQL', db, { rotateCertificates: true });
    f.certificates = f.certificates.map(sortedKeys);
    assert.deepEqual(kinds(planOf(planReconfigureTLS(profiles.MySQL, f))), ['waitReady', 'pause', 'issueCertificates', 'checkCertificates', 'restartPods', 'resume']);
  });

  test('MySQL rotate with a renewBefore change only: that one is triggered too (cert-manager would not re-issue it)', () => {
    const db = database('MySQL', { tls: { issuerRef: mysqlIssuer } });
    const plan = planOf(planReconfigureTLS(profiles.MySQL, facts('MySQL', db, { rotateCertificates: true, certificates: [{ alias: 'server', renewBefore: '240h' }] })));
    assert.ok(stepOf(plan, 'issueCertificates').step.certificates.every((c) => c.trigger), JSON.stringify(stepOf(plan, 'issueCertificates').step.certificates));
  });

  test('a Certificate missing: created again, and waited for like the re-issued ones', () => {
    const db = database('MySQL', { tls: { issuerRef: mysqlIssuer } });
    const f = facts('MySQL', db, { rotateCertificates: true });
    f.certificates = f.certificates.filter((c) => c.metadata.name !== 'my-db-client-cert');
    const plan = planOf(planReconfigureTLS(profiles.MySQL, f));
    assert.deepEqual(stepOf(plan, 'setCertificates').step.changes.map((c) => c.action === 'create' && c.certificate.metadata.name), ['my-db-client-cert']);
    assert.ok(stepOf(plan, 'issueCertificates').step.certificates.some((c) => c.name === 'my-db-client-cert'), JSON.stringify(stepOf(plan, 'issueCertificates').step.certificates));
  });

  test('MySQL rotate with an update: change the Certificate, re-issue the others (cert-manager re-issues the changed one itself)', () => {
    const db = database('MySQL', { tls: { issuerRef: mysqlIssuer } });
    const plan = planOf(planReconfigureTLS(profiles.MySQL, facts('MySQL', db, { rotateCertificates: true, requireSSL: true, certificates: [{ alias: 'server', dnsNames: ['db.example.com'] }] })));
    assert.deepEqual(kinds(plan), ['waitReady', 'pause', 'setCertificates', 'issueCertificates', 'checkCertificates', 'updateWorkload', 'updateDatabase', 'restartPods', 'resume']);
    assert.deepEqual(stepOf(plan, 'setCertificates').step.changes.map((c) => [c.action, c.action === 'update' && c.name]), [['update', 'my-db-server-cert']]);
    assert.equal(stepOf(plan, 'issueCertificates').step.condition, 'IssueCertificatesSucceeded');
    assert.deepEqual(stepOf(plan, 'issueCertificates').step.certificates, [
      { name: 'my-db-server-cert', trigger: false },
      { name: 'my-db-client-cert', trigger: true },
      { name: 'my-db-metrics-exporter-cert', trigger: true },
    ]);
    assert.deepEqual(stepOf(plan, 'updateWorkload').step.tls.requireSSL, true);
    assert.equal(plan.summary, 'update the TLS configuration and rotate the certificates');
  });
});

// ---- update ----

describe('update', () => {
  const server = { alias: 'server', subject: { organizations: ['kubedb:server'] }, emailAddresses: ['dev@appscode.com'] };
  const db = database('MySQL', { requireSSL: true, tls: { issuerRef: mysqlIssuer, certificates: [server] } });

  test('a changed emailAddresses: update the Certificate, undo with the old spec', () => {
    const f = facts('MySQL', db, { certificates: [{ alias: 'server', emailAddresses: ['new@appscode.com'] }] });
    const old = f.certificates[0]!.spec;
    const plan = planOf(planReconfigureTLS(profiles.MySQL, f));
    assert.deepEqual(outline(plan), [
      ['waitReady', 'DatabaseReady', '-'],
      ['pause', 'DatabasePauseSucceeded', 'resume'],
      ['setCertificates', 'UpdateCertificates', 'setCertificates'],
      ['issueCertificates', 'CheckIssuingCondition', '-'],
      ['checkCertificates', 'CertificateSynced', '-'],
      ['updateDatabase', 'UpdateDatabase', 'updateDatabase'],
      ['restartPods', 'RestartPods', '-'],
      ['resume', 'ResumeDatabase', '-'],
    ]);
    const { step, undo } = stepOf(plan, 'setCertificates');
    assert.deepEqual(step.changes, [{ action: 'update', name: 'my-db-server-cert', spec: { ...old, emailAddresses: ['new@appscode.com'] } }]);
    assert.deepEqual(undo, { kind: 'setCertificates', condition: 'UpdateCertificates', label: 'Put the certificates back', changes: [{ action: 'update', name: 'my-db-server-cert', spec: old }] });
    assert.deepEqual(stepOf(plan, 'issueCertificates').step.certificates, [{ name: 'my-db-server-cert', trigger: false }]);
    const dbStep = stepOf(plan, 'updateDatabase');
    assert.deepEqual(dbStep.step.patch, { tls: { issuerRef: mysqlIssuer, certificates: [{ ...server, emailAddresses: ['new@appscode.com'] }] } });
    assert.ok(dbStep.undo?.kind === 'updateDatabase');
    assert.deepEqual(dbStep.undo.patch, { tls: { issuerRef: mysqlIssuer, certificates: [server] } });
    assert.equal(stepOf(plan, 'restartPods').step.certificates, true);
    assert.equal(plan.summary, 'update the TLS configuration');
  });

  test('change issuer: every Certificate gets the new issuerRef', () => {
    const plan = planOf(planReconfigureTLS(profiles.MySQL, facts('MySQL', db, { issuerRef: { apiGroup: 'cert-manager.io', kind: 'ClusterIssuer', name: 'new-ca' } })));
    const { step, undo } = stepOf(plan, 'setCertificates');
    assert.deepEqual(step.changes.map((c) => c.action === 'update' && [c.name, c.spec.issuerRef]), [
      ['my-db-server-cert', { group: 'cert-manager.io', kind: 'ClusterIssuer', name: 'new-ca' }],
      ['my-db-client-cert', { group: 'cert-manager.io', kind: 'ClusterIssuer', name: 'new-ca' }],
      ['my-db-metrics-exporter-cert', { group: 'cert-manager.io', kind: 'ClusterIssuer', name: 'new-ca' }],
    ]);
    assert.ok(undo?.kind === 'setCertificates');
    assert.ok(undo.changes.every((c) => c.action === 'update' && c.spec.issuerRef.kind === 'Issuer' && c.spec.issuerRef.name === 'mysql-issuer'));
    assert.deepEqual(stepOf(plan, 'issueCertificates').step.certificates.map((c) => c.trigger), [false, false, false]);
    assert.ok(!kinds(plan).includes('updateWorkload'), 'the Secrets mounted stay the same');
    assert.equal(plan.summary, 'change the issuer to ClusterIssuer/new-ca');
  });

  test('requireSSL off: template and spec change, no certificate steps, restart by revision only', () => {
    const plan = planOf(planReconfigureTLS(profiles.MySQL, facts('MySQL', db, { requireSSL: false })));
    assert.deepEqual(kinds(plan), ['waitReady', 'pause', 'checkCertificates', 'updateWorkload', 'updateDatabase', 'restartPods', 'resume']);
    assert.equal(stepOf(plan, 'updateWorkload').step.tls.requireSSL, false);
    assert.deepEqual(stepOf(plan, 'updateDatabase').step.patch, { requireSSL: false });
    assert.equal(stepOf(plan, 'restartPods').step.certificates, false);
  });

  test('Pgpool sslMode only: database spec only, restart', () => {
    const pp = database('Pgpool', { tls: { issuerRef: { name: 'pgpool-issuer' } }, sslMode: 'verify-full', clientAuthMode: 'md5' });
    const plan = planOf(planReconfigureTLS(profiles.Pgpool, facts('Pgpool', pp, { sslMode: 'require' })));
    assert.deepEqual(kinds(plan), ['waitReady', 'pause', 'checkCertificates', 'updateDatabase', 'restartPods', 'resume']);
    const { step, undo } = stepOf(plan, 'updateDatabase');
    assert.deepEqual(step.patch, { sslMode: 'require' });
    assert.deepEqual(undo?.kind === 'updateDatabase' && undo.patch, { sslMode: 'verify-full' });
  });

  test('Pgpool clientAuthMode md5 → cert: pool_hba.conf changes, and the template carries its hash so the pods restart', () => {
    const pp = database('Pgpool', { tls: { issuerRef: { name: 'pgpool-issuer' } }, sslMode: 'verify-full', clientAuthMode: 'md5' });
    const plan = planOf(planReconfigureTLS(profiles.Pgpool, facts('Pgpool', pp, { clientAuthMode: 'cert' })));
    assert.deepEqual(kinds(plan), ['waitReady', 'pause', 'checkCertificates', 'updateWorkload', 'updateConfig', 'updateDatabase', 'restartPods', 'resume']);
    assert.equal(stepOf(plan, 'updateConfig').step.tls.clientAuthMode, 'cert');
    const workload = stepOf(plan, 'updateWorkload');
    assert.match(workload.step.configHash ?? '', /^[0-9a-f]{16}$/, 'the hash of the new configuration');
    assert.equal(workload.undo?.kind === 'updateWorkload' && workload.undo.configHash, null, 'the undo takes the hash away again');
  });
});

// ---- remove ----

describe('remove', () => {
  test('MySQL: template and spec first, pods restarted, then the Certificates deleted', () => {
    const db = database('MySQL', { requireSSL: true, tls: { issuerRef: mysqlIssuer, certificates: [{ alias: 'client', secretName: 'mysql-client-tls' }] } });
    const plan = planOf(planReconfigureTLS(profiles.MySQL, facts('MySQL', db, { remove: true })));
    assert.deepEqual(outline(plan), [
      ['waitReady', 'DatabaseReady', '-'],
      ['pause', 'DatabasePauseSucceeded', 'resume'],
      ['updateWorkload', 'UpdatePetSets', 'updateWorkload'],
      ['updateDatabase', 'UpdateDatabase', 'updateDatabase'],
      ['restartPods', 'RestartPods', '-'],
      ['deleteCertificates', 'DeleteCertificates', '-'],
      ['resume', 'ResumeDatabase', '-'],
    ]);
    const workload = stepOf(plan, 'updateWorkload');
    assert.deepEqual(workload.step.tls, { enabled: false, secrets: {}, requireSSL: false });
    assert.deepEqual(workload.undo?.kind === 'updateWorkload' && workload.undo.tls, { enabled: true, secrets: { server: 'my-db-server-cert', client: 'mysql-client-tls' }, requireSSL: true });
    const spec = stepOf(plan, 'updateDatabase');
    assert.deepEqual(spec.step.patch, { tls: null, requireSSL: null });
    assert.deepEqual(spec.undo?.kind === 'updateDatabase' && spec.undo.patch, { tls: db.spec!.tls, requireSSL: true });
    assert.equal(stepOf(plan, 'restartPods').step.certificates, false);
    assert.deepEqual(restartOrder(plan), ['my-db-1:standby', 'my-db-2:standby', 'my-db-0:primary']);
    assert.deepEqual(stepOf(plan, 'deleteCertificates').step.certificates, [
      { name: 'my-db-server-cert', secretName: 'my-db-server-cert' },
      { name: 'my-db-client-cert', secretName: 'mysql-client-tls' },
      { name: 'my-db-metrics-exporter-cert', secretName: 'my-db-metrics-exporter-cert' },
    ]);
    assert.equal(plan.summary, 'remove TLS');
  });

  test('Pgpool: sslMode disable, clientAuthMode cert → md5, configuration back to ssl off', () => {
    const db = database('Pgpool', { tls: { issuerRef: { name: 'pgpool-issuer' } }, sslMode: 'verify-full', clientAuthMode: 'cert' });
    const plan = planOf(planReconfigureTLS(profiles.Pgpool, facts('Pgpool', db, { remove: true })));
    assert.deepEqual(kinds(plan), ['waitReady', 'pause', 'updateWorkload', 'updateConfig', 'updateDatabase', 'restartPods', 'deleteCertificates', 'resume']);
    assert.deepEqual(stepOf(plan, 'updateConfig').step.tls, { enabled: false, secrets: {}, requireSSL: false, clientAuthMode: 'md5' });
    const spec = stepOf(plan, 'updateDatabase');
    assert.deepEqual(spec.step.patch, { tls: null, sslMode: 'disable', clientAuthMode: 'md5' });
    assert.deepEqual(spec.undo?.kind === 'updateDatabase' && spec.undo.patch, { tls: { issuerRef: { name: 'pgpool-issuer' } }, sslMode: 'verify-full', clientAuthMode: 'cert' });
    assert.deepEqual(stepOf(plan, 'deleteCertificates').step.certificates.map((c) => c.name), ['pp-server-cert', 'pp-client-cert']);
  });

  test('ProxySQL: no certificate steps before the restart', () => {
    const plan = planOf(planReconfigureTLS(profiles.ProxySQL, facts('ProxySQL', database('ProxySQL', { tls: { issuerRef: mysqlIssuer } }), { remove: true })));
    const restartAt = kinds(plan).indexOf('restartPods');
    assert.deepEqual(kinds(plan).slice(0, restartAt).filter((k) => /Certificates$/.test(k)), []);
    assert.equal(kinds(plan)[restartAt + 1], 'deleteCertificates');
  });
});

// ---- rejections ----

describe('rejected by the planner', () => {
  const noTLS = database('MySQL');
  const withTLSdb = database('MySQL', { tls: { issuerRef: mysqlIssuer } });
  const cases: [string, DatabaseKind, Database, OpsRequestTLS, Partial<PlanFacts>, string, string[]][] = [
    ['rotate without TLS', 'MySQL', noTLS, { rotateCertificates: true }, {}, 'spec.tls.rotateCertificates', ['MySQL demo/my-db', 'no TLS', 'spec.tls.issuerRef']],
    ['rotate without TLS (ProxySQL)', 'ProxySQL', database('ProxySQL'), { rotateCertificates: true }, {}, 'spec.tls.rotateCertificates', ['ProxySQL demo/proxy', 'no TLS']],
    ['remove without TLS', 'Pgpool', database('Pgpool', { sslMode: 'disable' }), { remove: true }, {}, 'spec.tls.remove', ['Pgpool demo/pp', 'no TLS to remove']],
    ['add without issuerRef', 'MySQL', noTLS, { certificates: [{ alias: 'server', dnsNames: ['db.example.com'] }] }, {}, 'spec.tls.issuerRef', ['no TLS yet', 'spec.tls.issuerRef']],
    ['add with requireSSL only', 'PerconaXtraDB', database('PerconaXtraDB'), { requireSSL: true }, {}, 'spec.tls.issuerRef', ['no TLS yet']],
    ['an Issuer that does not exist', 'MySQL', noTLS, { issuerRef: { ...mysqlIssuer, name: 'missing' } }, {}, 'spec.tls.issuerRef', ['no Issuer named missing', 'in namespace demo']],
    ['a ClusterIssuer that does not exist', 'MySQL', noTLS, { issuerRef: { kind: 'ClusterIssuer', name: 'mysql-issuer' } }, {}, 'spec.tls.issuerRef', ['no ClusterIssuer named mysql-issuer', 'in the cluster']],
    ['an issuerRef without kind is an Issuer', 'MySQL', noTLS, { issuerRef: { name: 'new-ca' } }, {}, 'spec.tls.issuerRef', ['no Issuer named new-ca']],
    ['changing to an issuer that does not exist', 'ProxySQL', database('ProxySQL', { tls: { issuerRef: mysqlIssuer } }), { issuerRef: { kind: 'Issuer', name: 'gone' } }, {}, 'spec.tls.issuerRef', ['no Issuer named gone']],
    ['rotate when the issuer is gone', 'MySQL', withTLSdb, { rotateCertificates: true }, { issuers: [] }, 'spec.tls.issuerRef', ['no Issuer named mysql-issuer']],
    [
      "a certificate's own issuerRef that does not exist",
      'MySQL',
      noTLS,
      { issuerRef: mysqlIssuer, certificates: [{ alias: 'client', issuerRef: { kind: 'Issuer', name: 'client-ca' } }] },
      {},
      'spec.tls.certificates[0].issuerRef',
      ['no Issuer named client-ca', 'in namespace demo'],
    ],
    [
      'Pgpool: sslMode disable while clientAuthMode is cert',
      'Pgpool',
      database('Pgpool', { tls: { issuerRef: { name: 'pgpool-issuer' } }, sslMode: 'verify-full', clientAuthMode: 'cert' }),
      { sslMode: 'disable' },
      {},
      'spec.tls.clientAuthMode',
      ['clientAuthMode cert', 'sslMode disable'],
    ],
    [
      'Pgpool: add with clientAuthMode cert and sslMode disable',
      'Pgpool',
      database('Pgpool', { sslMode: 'disable', clientAuthMode: 'md5' }),
      { issuerRef: { name: 'pgpool-issuer' }, clientAuthMode: 'cert', sslMode: 'disable' },
      {},
      'spec.tls.clientAuthMode',
      ['clientAuthMode cert', 'sslMode disable'],
    ],
    ['a template change on a database without a workload', 'MySQL', noTLS, { issuerRef: mysqlIssuer }, { workload: undefined }, 'spec.databaseRef', ['MySQL demo/my-db', 'no StatefulSet or PetSet yet']],
    ['a template change on a ProxySQL without a workload', 'ProxySQL', database('ProxySQL', { tls: { issuerRef: mysqlIssuer } }), { remove: true }, { workload: undefined }, 'spec.proxyRef', ['no StatefulSet or PetSet yet']],
  ];
  for (const [name, kind, db, tls, more, field, words] of cases) {
    test(`${kind}: ${name}`, () => assertRejected(planReconfigureTLS(profiles[kind], facts(kind, db, tls, more)), field, words));
  }

  test("a new certificate's issuerRef: the field names the request's entry", () => {
    const db = database('MySQL', { tls: { issuerRef: mysqlIssuer, certificates: [{ alias: 'server' }, { alias: 'client' }] } });
    const tls = { certificates: [{ alias: 'metrics-exporter', issuerRef: { kind: 'Issuer', name: 'exporter-ca' } }] };
    assertRejected(planReconfigureTLS(profiles.MySQL, facts('MySQL', db, tls)), 'spec.tls.certificates[0].issuerRef', ['no Issuer named exporter-ca']);
  });
});

describe('nothing to change', () => {
  const settled: [DatabaseKind, Database['spec'], OpsRequestTLS][] = [
    ['MySQL', { tls: { issuerRef: mysqlIssuer, certificates: [{ alias: 'server', dnsNames: ['db.example.com'] }] }, requireSSL: true }, { issuerRef: mysqlIssuer, requireSSL: true }],
    ['MySQL', { tls: { issuerRef: mysqlIssuer, certificates: [{ alias: 'server', dnsNames: ['db.example.com'] }] } }, { certificates: [{ alias: 'server', dnsNames: ['db.example.com'] }] }],
    ['PerconaXtraDB', { tls: { issuerRef: mysqlIssuer } }, { issuerRef: mysqlIssuer }],
    ['ProxySQL', { tls: { issuerRef: mysqlIssuer } }, { issuerRef: mysqlIssuer }],
    ['Pgpool', { tls: { issuerRef: { name: 'pgpool-issuer' } }, sslMode: 'require', clientAuthMode: 'cert' }, { sslMode: 'require', clientAuthMode: 'cert' }],
  ];
  for (const [kind, spec, tls] of settled) {
    test(`${kind}: the request equals the current state and every pod is on the updateRevision (${Object.keys(tls).join(', ')})`, () => {
      assertRejected(planReconfigureTLS(profiles[kind], facts(kind, database(kind, spec), tls)), 'spec.tls', [`${kind} demo/${dbName[kind]}`, 'nothing to change']);
    });
  }

  test('MySQL: but one pod on another revision: the plan just restarts', () => {
    const [kind, spec, tls] = settled[0]!;
    const f = facts(kind, database(kind, spec), tls);
    f.pods = f.pods.map((p) => (p.name === 'my-db-2' ? { ...p, revision: 'rev-0' } : p));
    const plan = planOf(planReconfigureTLS(profiles.MySQL, f));
    assert.deepEqual(outline(plan), [
      ['waitReady', 'DatabaseReady', '-'],
      ['pause', 'DatabasePauseSucceeded', 'resume'],
      ['checkCertificates', 'CertificateSynced', '-'],
      ['restartPods', 'RestartPods', '-'],
      ['resume', 'ResumeDatabase', '-'],
    ]);
    assert.equal(stepOf(plan, 'restartPods').step.certificates, false);
  });

  test('Pgpool: a pod on another revision, apply Always: pause, restart, resume (and the check)', () => {
    const [kind, spec, tls] = settled[4]!;
    const f = { ...facts(kind, database(kind, spec), tls), ops: request(kind, tls, { apply: 'Always' }) };
    f.pods = f.pods.map((p) => (p.name === 'pp-0' ? { ...p, revision: 'rev-0' } : p));
    assert.deepEqual(kinds(planOf(planReconfigureTLS(profiles.Pgpool, f))), ['pause', 'checkCertificates', 'restartPods', 'resume']);
  });

  test('a pod behind: the dry run lists just the pods that will restart', () => {
    const [kind, spec, tls] = settled[0]!;
    const f = facts(kind, database(kind, spec), tls);
    f.pods = f.pods.map((p) => (p.name === 'my-db-2' ? { ...p, revision: 'rev-0' } : p));
    assert.deepEqual(restartOrder(planOf(planReconfigureTLS(profiles.MySQL, f))), ['my-db-2:standby']);
  });

  test('the database as read back from the API server (keys sorted): still nothing to change', () => {
    const [kind, spec, tls] = settled[0]!;
    const db = database(kind, spec);
    const f = facts(kind, db, tls);
    f.database = sortedKeys(db);
    f.certificates = f.certificates.map(sortedKeys);
    assertRejected(planReconfigureTLS(profiles.MySQL, f), 'spec.tls', ['nothing to change']);
  });

  test('the same issuerRef written with its keys in another order: nothing to change', () => {
    const [kind, spec] = settled[0]!;
    const f = facts(kind, sortedKeys(database(kind, spec)), { issuerRef: { name: 'mysql-issuer', kind: 'Issuer', apiGroup: 'cert-manager.io' }, requireSSL: true });
    assertRejected(planReconfigureTLS(profiles.MySQL, f), 'spec.tls', ['nothing to change']);
  });

  test('the configuration Secret out of date: updateConfig, not rejected', () => {
    const [kind, spec, tls] = settled[4]!;
    const f = facts(kind, database(kind, spec), tls);
    f.renderedConfig = { 'pgpool.conf': pgpoolConf(sslOff), 'pool_hba.conf': hba.md5 };
    assert.deepEqual(kinds(planOf(planReconfigureTLS(profiles.Pgpool, f))), ['waitReady', 'pause', 'checkCertificates', 'updateWorkload', 'updateConfig', 'restartPods', 'resume']);
  });

  test('a Certificate missing: it is created again', () => {
    const [kind, spec, tls] = settled[2]!;
    const f = facts(kind, database(kind, spec), tls);
    f.certificates = f.certificates.filter((c) => c.metadata.name !== 'px-client-cert');
    const plan = planOf(planReconfigureTLS(profiles.PerconaXtraDB, f));
    assert.deepEqual(stepOf(plan, 'setCertificates').step.changes.map((c) => c.action === 'create' && c.certificate.metadata.name), ['px-client-cert']);
    assert.equal(stepOf(plan, 'restartPods').step.certificates, true);
  });
});

describe('planRequest', () => {
  test('an unknown type', () => {
    const f = facts('MySQL', database('MySQL'), { issuerRef: mysqlIssuer });
    f.ops = { ...f.ops, spec: { ...f.ops.spec, type: 'Restart' } };
    assertRejected(planRequest(profiles.MySQL, f), 'spec.type', ['"Restart"', 'no planner']);
  });
  test('ReconfigureTLS: the ReconfigureTLS plan', () => {
    const f = facts('MySQL', database('MySQL'), { issuerRef: mysqlIssuer });
    assert.deepEqual(planRequest(profiles.MySQL, f), planReconfigureTLS(profiles.MySQL, f));
  });
});
