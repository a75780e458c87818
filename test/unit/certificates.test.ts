import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { certificateName, certificateSecretName, desiredCertificate } from '../../model/certificates.ts';
import { profiles } from '../../model/profiles.ts';
import type { Database, IssuerRef, TLSCertificateSpec } from '../../model/types.ts';

const caIssuer: IssuerRef = { apiGroup: 'cert-manager.io', kind: 'Issuer', name: 'mysql-ca' };
const db = (kind: string, certificates?: TLSCertificateSpec[], issuerRef: IssuerRef | null = caIssuer): Database => ({
  apiVersion: 'kubedb.com/v1',
  kind,
  metadata: { name: 'my-db', namespace: 'demo', uid: 'uid-1' },
  spec: { tls: { issuerRef: issuerRef ?? undefined, certificates } },
});
const mysqlCert = (alias: string, certificates?: TLSCertificateSpec[], issuerRef?: IssuerRef) => {
  const cert = desiredCertificate(profiles.MySQL, db('MySQL', certificates, issuerRef ?? caIssuer), alias);
  assert.ok(cert, `no certificate for ${alias}`);
  return cert;
};

describe('certificateName', () => {
  test('<db>-<alias>-cert', () => assert.equal(certificateName('my-db', 'server'), 'my-db-server-cert'));
  for (const alias of ['server', 'client', 'metrics-exporter']) {
    test(`a long db name is shortened (${alias})`, () => {
      const name = certificateName('d'.repeat(80), alias);
      assert.equal(name.length, 63);
      assert.ok(name.endsWith(`-${alias}-cert`), name);
      assert.ok(name.startsWith('ddd'), name);
    });
  }
});

describe('certificateSecretName', () => {
  test("the user's secretName", () => assert.equal(certificateSecretName(db('MySQL', [{ alias: 'server', secretName: 'mine' }]), 'server'), 'mine'));
  test('else the certificate name', () => assert.equal(certificateSecretName(db('MySQL', [{ alias: 'server', secretName: 'mine' }]), 'client'), 'my-db-client-cert'));
  test('an empty secretName counts as unset (as in kmodules)', () => {
    assert.equal(certificateSecretName(db('MySQL', [{ alias: 'server', secretName: '' }]), 'server'), 'my-db-server-cert');
  });
});

describe('desiredCertificate for a MySQL', () => {
  test('metadata: name, owner reference and labels', () => {
    assert.deepEqual(mysqlCert('server').metadata, {
      name: 'my-db-server-cert',
      namespace: 'demo',
      labels: {
        'app.kubernetes.io/component': 'database',
        'app.kubernetes.io/instance': 'my-db',
        'app.kubernetes.io/managed-by': 'kubedb.com',
        'app.kubernetes.io/name': 'mysqls.kubedb.com',
      },
      ownerReferences: [{ apiVersion: 'kubedb.com/v1', kind: 'MySQL', name: 'my-db', uid: 'uid-1', controller: true, blockOwnerDeletion: true }],
    });
  });

  test("server: service DNS names plus the user's, no duplicates; IPs; usages; secret", () => {
    const { spec } = mysqlCert('server', [{ alias: 'server', dnsNames: ['db.example.com', 'localhost'], ipAddresses: ['10.0.0.7'] }]);
    assert.deepEqual(spec.dnsNames, [
      '*.my-db-pods.demo.svc',
      '*.my-db-pods.demo.svc.cluster.local',
      '*.my-db.demo.svc',
      'localhost',
      'my-db',
      'my-db.demo.svc',
      'db.example.com',
    ]);
    assert.deepEqual(spec.ipAddresses, ['10.0.0.7']);
    assert.deepEqual(spec.usages, ['digital signature', 'key encipherment', 'server auth', 'client auth']);
    assert.equal(spec.secretName, 'my-db-server-cert');
    assert.equal(spec.commonName, 'my-db');
    assert.equal(spec.subject, undefined);
  });

  const issuerCases: [string, IssuerRef, TLSCertificateSpec[] | undefined, { group: string; kind: string; name: string }][] = [
    ['apiGroup → group', { apiGroup: 'example.io', kind: 'ClusterIssuer', name: 'x' }, undefined, { group: 'example.io', kind: 'ClusterIssuer', name: 'x' }],
    ['defaults', { name: 'x' }, undefined, { group: 'cert-manager.io', kind: 'Issuer', name: 'x' }],
    ['per-alias issuerRef wins', caIssuer, [{ alias: 'server', issuerRef: { kind: 'ClusterIssuer', name: 'other' } }], { group: 'cert-manager.io', kind: 'ClusterIssuer', name: 'other' }],
  ];
  for (const [name, ref, certs, want] of issuerCases) {
    test(`issuerRef: ${name}`, () => assert.deepEqual(mysqlCert('server', certs, ref).spec.issuerRef, want));
  }

  const clientCases: [string, TLSCertificateSpec['subject'], TLSCertificateSpec['subject']][] = [
    ['defaults', undefined, { organizations: ['mysql'], organizationalUnits: ['client'] }],
    ['user organizations replace, default OU kept', { organizations: ['acme'], countries: ['DE'] }, { organizations: ['acme'], organizationalUnits: ['client'], countries: ['DE'] }],
    ['user OU replaces', { organizationalUnits: ['ops'] }, { organizations: ['mysql'], organizationalUnits: ['ops'] }],
  ];
  for (const [name, subject, want] of clientCases) {
    test(`client subject: ${name}`, () => {
      const { spec } = mysqlCert('client', subject ? [{ alias: 'client', subject }] : undefined);
      assert.equal(spec.commonName, 'root');
      assert.deepEqual(spec.subject, want);
      assert.equal(spec.dnsNames, undefined);
    });
  }

  test('duration, renewBefore and privateKey.encoding carried', () => {
    const { spec } = mysqlCert('server', [{ alias: 'server', duration: '2160h0m0s', renewBefore: '360h', privateKey: { encoding: 'PKCS8' } }]);
    assert.deepEqual([spec.duration, spec.renewBefore, spec.privateKey], ['2160h0m0s', '360h', { encoding: 'PKCS8' }]);
  });

  test('undefined without an issuer', () => {
    assert.equal(desiredCertificate(profiles.MySQL, db('MySQL', undefined, null), 'server'), undefined);
    assert.equal(desiredCertificate(profiles.MySQL, db('MySQL', [{ alias: 'server', dnsNames: ['x'] }], null), 'server'), undefined);
  });
  test('a per-alias issuerRef alone is enough', () => {
    const cert = desiredCertificate(profiles.MySQL, db('MySQL', [{ alias: 'client', issuerRef: { name: 'own' } }], null), 'client');
    assert.equal(cert?.spec.issuerRef.name, 'own');
  });
});

describe('other kinds', () => {
  test('undefined for an alias the kind does not have', () => {
    assert.equal(desiredCertificate(profiles.ProxySQL, db('ProxySQL'), 'metrics-exporter'), undefined);
    assert.equal(desiredCertificate(profiles.MySQL, db('MySQL'), 'bogus'), undefined);
  });
  test('PerconaXtraDB server CN is <db>.<ns>.svc', () => {
    assert.equal(desiredCertificate(profiles.PerconaXtraDB, db('PerconaXtraDB'), 'server')?.spec.commonName, 'my-db.demo.svc');
  });
});
