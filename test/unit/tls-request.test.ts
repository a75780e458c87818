import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { profiles, type DatabaseKind } from '../../model/profiles.ts';
import { desiredDatabase, tlsVariant, type TLSVariant } from '../../model/tls-request.ts';
import type { Database, OpsRequestTLS } from '../../model/types.ts';

const issuerRef = { apiGroup: 'cert-manager.io', kind: 'Issuer', name: 'old-issuer' };
const newIssuer = { apiGroup: 'cert-manager.io', kind: 'ClusterIssuer', name: 'new-issuer' };

const db = (kind: DatabaseKind, spec: Database['spec'] = {}): Database => ({
  apiVersion: 'kubedb.com/v1',
  kind,
  metadata: { name: 'my-db', namespace: 'demo', uid: 'uid-1' },
  spec: { version: '8.0.36', replicas: 3, ...spec },
});

describe('tlsVariant', () => {
  const withTLS = { tls: { issuerRef } };
  const cases: [string, DatabaseKind, Database['spec'], OpsRequestTLS, TLSVariant][] = [
    ['no TLS + issuerRef: add', 'MySQL', {}, { issuerRef }, 'add'],
    ['no TLS + certificates: add', 'PerconaXtraDB', {}, { certificates: [{ alias: 'server' }] }, 'add'],
    ['no TLS + requireSSL: add', 'MySQL', {}, { requireSSL: true }, 'add'],
    ['no TLS + sslMode: add', 'Pgpool', {}, { sslMode: 'require' }, 'add'],
    ['no TLS + clientAuthMode: add', 'Pgpool', {}, { clientAuthMode: 'scram' }, 'add'],
    ['no TLS + rotate with issuerRef: add', 'MySQL', {}, { rotateCertificates: true, issuerRef }, 'add'],
    ['no TLS + rotate: rotate', 'MySQL', {}, { rotateCertificates: true }, 'rotate'],
    ['no TLS + remove: remove', 'ProxySQL', {}, { remove: true }, 'remove'],
    ['TLS + rotate: rotate', 'MySQL', withTLS, { rotateCertificates: true }, 'rotate'],
    ['TLS + rotate (ProxySQL)', 'ProxySQL', withTLS, { rotateCertificates: true }, 'rotate'],
    ['TLS + remove: remove', 'Pgpool', withTLS, { remove: true }, 'remove'],
    ['TLS + issuerRef: update', 'MySQL', withTLS, { issuerRef: newIssuer }, 'update'],
    ['TLS + certificates: update', 'ProxySQL', withTLS, { certificates: [{ alias: 'client', emailAddresses: ['a@b.c'] }] }, 'update'],
    ['TLS + requireSSL false: update', 'PerconaXtraDB', withTLS, { requireSSL: false }, 'update'],
    ['TLS + sslMode: update', 'Pgpool', withTLS, { sslMode: 'verify-ca' }, 'update'],
    ['TLS + rotate with certificates: rotate+update', 'MySQL', withTLS, { rotateCertificates: true, certificates: [{ alias: 'server', dnsNames: ['x'] }] }, 'rotate+update'],
    ['TLS + rotate with requireSSL: rotate+update', 'MySQL', withTLS, { rotateCertificates: true, requireSSL: true }, 'rotate+update'],
    ['TLS + rotate with empty certificates: rotate', 'MySQL', withTLS, { rotateCertificates: true, certificates: [] }, 'rotate'],
    ['TLS + rotate with a switch of another kind: rotate', 'ProxySQL', withTLS, { rotateCertificates: true, requireSSL: true }, 'rotate'],
  ];
  for (const [name, kind, spec, tls, want] of cases) test(`${kind}: ${name}`, () => assert.equal(tlsVariant(profiles[kind], db(kind, spec), tls), want));
});

describe('desiredDatabase', () => {
  const have = db('MySQL', {
    requireSSL: true,
    tls: {
      issuerRef,
      certificates: [
        { alias: 'server', dnsNames: ['a.example.com'], subject: { organizations: ['kubedb:server'] }, duration: '2160h' },
        { alias: 'client', subject: { organizations: ['mysql'], organizationalUnits: ['client'] } },
      ],
    },
  });

  test('merge by alias: asked fields win, the others are kept, a new alias is appended', () => {
    const got = desiredDatabase(profiles.MySQL, have, {
      certificates: [
        { alias: 'server', dnsNames: ['b.example.com'], emailAddresses: ['dba@example.com'] },
        { alias: 'metrics-exporter', subject: { organizations: ['exporters'] } },
      ],
    });
    assert.deepEqual(got.spec!.tls, {
      issuerRef,
      certificates: [
        { alias: 'server', dnsNames: ['b.example.com'], subject: { organizations: ['kubedb:server'] }, duration: '2160h', emailAddresses: ['dba@example.com'] },
        { alias: 'client', subject: { organizations: ['mysql'], organizationalUnits: ['client'] } },
        { alias: 'metrics-exporter', subject: { organizations: ['exporters'] } },
      ],
    });
    assert.equal(got.spec!.requireSSL, true, 'requireSSL kept');
    assert.equal(got.spec!.version, '8.0.36', 'the rest of the spec kept');
    assert.equal(got.spec!.replicas, 3);
    assert.deepEqual(got.metadata, have.metadata);
  });

  test('a field given as undefined does not erase the stored one', () => {
    const got = desiredDatabase(profiles.MySQL, have, { certificates: [{ alias: 'server', dnsNames: undefined, duration: '720h' }] });
    assert.deepEqual(got.spec!.tls!.certificates![0], { alias: 'server', dnsNames: ['a.example.com'], subject: { organizations: ['kubedb:server'] }, duration: '720h' });
  });

  test('issuerRef kept when the request does not give one', () => {
    assert.deepEqual(desiredDatabase(profiles.MySQL, have, { requireSSL: false }).spec!.tls!.issuerRef, issuerRef);
  });
  test('issuerRef replaced when the request gives one', () => {
    const got = desiredDatabase(profiles.MySQL, have, { issuerRef: newIssuer });
    assert.deepEqual(got.spec!.tls!.issuerRef, newIssuer);
    assert.deepEqual(got.spec!.tls!.certificates, have.spec!.tls!.certificates, 'certificates kept');
  });
  test('requireSSL set by the request', () => {
    assert.equal(desiredDatabase(profiles.MySQL, have, { requireSSL: false }).spec!.requireSSL, false);
    assert.equal(desiredDatabase(profiles.PerconaXtraDB, db('PerconaXtraDB'), { issuerRef, requireSSL: true }).spec!.requireSSL, true);
  });
  test('add on a database without tls: issuerRef and certificates as asked', () => {
    const got = desiredDatabase(profiles.ProxySQL, db('ProxySQL'), { issuerRef, certificates: [{ alias: 'server', subject: { organizations: ['kubedb:server'] } }] });
    assert.deepEqual(got.spec, { version: '8.0.36', replicas: 3, tls: { issuerRef, certificates: [{ alias: 'server', subject: { organizations: ['kubedb:server'] } }] } });
  });
  test('add on MySQL: no Pgpool fields appear', () => {
    const got = desiredDatabase(profiles.MySQL, db('MySQL'), { issuerRef });
    assert.deepEqual(got.spec, { version: '8.0.36', replicas: 3, tls: { issuerRef } });
  });
  test('a switch of another kind is not copied', () => {
    const got = desiredDatabase(profiles.ProxySQL, db('ProxySQL', { tls: { issuerRef } }), { issuerRef: newIssuer, requireSSL: true });
    assert.equal(got.spec!.requireSSL, undefined);
  });

  test('rotate returns the database unchanged', () => {
    const before = structuredClone(have);
    const got = desiredDatabase(profiles.MySQL, have, { rotateCertificates: true });
    assert.deepEqual(got, before);
  });
  test('rotate with an update merges', () => {
    const got = desiredDatabase(profiles.MySQL, have, { rotateCertificates: true, requireSSL: false, certificates: [{ alias: 'client', emailAddresses: ['x@y.z'] }] });
    assert.equal(got.spec!.requireSSL, false);
    assert.deepEqual(got.spec!.tls!.certificates![1], { alias: 'client', subject: { organizations: ['mysql'], organizationalUnits: ['client'] }, emailAddresses: ['x@y.z'] });
  });

  test('remove drops tls and requireSSL, keeps the rest', () => {
    const got = desiredDatabase(profiles.MySQL, have, { remove: true });
    assert.deepEqual(got.spec, { version: '8.0.36', replicas: 3 });
  });

  const pgpool = (spec: Database['spec']) => db('Pgpool', { tls: { issuerRef }, ...spec });
  const removeCases: [string, Database['spec'], { sslMode: string; clientAuthMode?: string }][] = [
    ['cert becomes md5, sslMode disable', { sslMode: 'verify-full', clientAuthMode: 'cert' }, { sslMode: 'disable', clientAuthMode: 'md5' }],
    ['md5 kept', { sslMode: 'require', clientAuthMode: 'md5' }, { sslMode: 'disable', clientAuthMode: 'md5' }],
    ['scram kept', { sslMode: 'prefer', clientAuthMode: 'scram' }, { sslMode: 'disable', clientAuthMode: 'scram' }],
    ['no clientAuthMode stays unset', { sslMode: 'require' }, { sslMode: 'disable' }],
  ];
  for (const [name, spec, want] of removeCases) {
    test(`Pgpool remove: ${name}`, () => {
      const got = desiredDatabase(profiles.Pgpool, pgpool(spec), { remove: true });
      assert.deepEqual(got.spec, { version: '8.0.36', replicas: 3, ...want });
    });
  }

  const addCases: [string, OpsRequestTLS, Database['spec'], Database['spec']][] = [
    ['without sslMode: verify-full', { issuerRef }, { sslMode: 'disable', clientAuthMode: 'md5' }, { sslMode: 'verify-full', clientAuthMode: 'md5' }],
    ['with sslMode require and clientAuthMode cert', { issuerRef, sslMode: 'require', clientAuthMode: 'cert' }, { sslMode: 'disable', clientAuthMode: 'md5' }, { sslMode: 'require', clientAuthMode: 'cert' }],
    ['on a Pgpool without the fields', { issuerRef }, {}, { sslMode: 'verify-full' }],
  ];
  for (const [name, tls, spec, want] of addCases) {
    test(`Pgpool add ${name}`, () => {
      const got = desiredDatabase(profiles.Pgpool, db('Pgpool', spec), tls);
      assert.equal(got.spec!.sslMode, want!.sslMode);
      assert.equal(got.spec!.clientAuthMode, want!.clientAuthMode);
      assert.deepEqual(got.spec!.tls, { issuerRef });
    });
  }
  test('Pgpool update without sslMode keeps the sslMode it has', () => {
    assert.equal(desiredDatabase(profiles.Pgpool, pgpool({ sslMode: 'require' }), { issuerRef: newIssuer }).spec!.sslMode, 'require');
  });

  test('the input database is not changed', () => {
    const before = structuredClone(have);
    desiredDatabase(profiles.MySQL, have, { issuerRef: newIssuer, requireSSL: false, certificates: [{ alias: 'server', dnsNames: ['z'] }, { alias: 'metrics-exporter' }] });
    desiredDatabase(profiles.MySQL, have, { remove: true });
    assert.deepEqual(have, before);
  });
});
