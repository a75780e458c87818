import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { profiles, type DatabaseKind } from '../../model/profiles.ts';
import type { OpsRequest, OpsRequestTLS, TLSCertificateSpec } from '../../model/types.ts';
import { validateSpec, type Admission } from '../../model/validation.ts';

type Spec = NonNullable<OpsRequest['spec']>;
const issuerRef = { apiGroup: 'cert-manager.io', kind: 'Issuer', name: 'my-issuer' };

/** A ReconfigureTLS request for a database of `kind` with `tls` (anything, as it may arrive from a user). */
const ops = (kind: DatabaseKind, tls: unknown, extra: Partial<Spec> = {}): OpsRequest => ({
  metadata: { name: 'tls', namespace: 'demo' },
  spec: {
    type: 'ReconfigureTLS',
    ...(kind === 'ProxySQL' ? { proxyRef: { name: 'proxy' } } : { databaseRef: { name: 'my-db' } }),
    tls: tls as OpsRequestTLS,
    ...extra,
  },
});
const certs = (...c: unknown[]) => ({ issuerRef, certificates: c as TLSCertificateSpec[] });
const server = (fields: Record<string, unknown>) => certs({ alias: 'server', ...fields });

function assertRejected(got: Admission, field: string, words: string[]) {
  assert.equal(got.ok, false, `expected a rejection, got ${JSON.stringify(got)}`);
  if (got.ok) return;
  assert.equal(got.field, field, got.message);
  for (const w of words) assert.ok(got.message.includes(w), `message ${JSON.stringify(got.message)} lacks ${JSON.stringify(w)}`);
}

const c0 = 'spec.tls.certificates[0]';
const long = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(62)}`; // 254 characters of valid labels

describe('validateSpec rejects ReconfigureTLS', () => {
  const cases: [string, DatabaseKind, unknown, string, string[], Partial<Spec>?][] = [
    // aliases
    ['MySQL: alias not of the kind', 'MySQL', certs({ alias: 'exporter' }), `${c0}.alias`, ['"exporter"', 'MySQL', 'server, client, metrics-exporter']],
    ['ProxySQL: no metrics-exporter', 'ProxySQL', certs({ alias: 'metrics-exporter' }), `${c0}.alias`, ['"metrics-exporter"', 'ProxySQL', 'server, client']],
    ['Pgpool: no metrics-exporter', 'Pgpool', certs({ alias: 'metrics-exporter' }), `${c0}.alias`, ['"metrics-exporter"', 'Pgpool', 'server, client']],
    ['PerconaXtraDB: alias is case-sensitive', 'PerconaXtraDB', certs({ alias: 'Server' }), `${c0}.alias`, ['"Server"', 'server, client, metrics-exporter']],
    ['alias missing', 'MySQL', certs({ dnsNames: ['a.example.com'] }), `${c0}.alias`, ['required', 'server, client, metrics-exporter']],
    ['alias listed twice', 'MySQL', certs({ alias: 'client' }, { alias: 'server' }, { alias: 'client' }), 'spec.tls.certificates[2].alias', ['"client"', 'twice']],
    ['a certificate that is not an object', 'MySQL', certs('server'), c0, ['must be an object', 'alias']],
    ['a certificate that is null', 'Pgpool', certs(null), c0, ['must be an object']],
    ['certificates not a list', 'MySQL', { issuerRef, certificates: { alias: 'server' } }, 'spec.tls.certificates', ['must be a list']],
    // issuerRef
    ['issuerRef kind Foo', 'MySQL', { issuerRef: { ...issuerRef, kind: 'Foo' } }, 'spec.tls.issuerRef.kind', ['"Foo"', 'Issuer or ClusterIssuer']],
    ['issuerRef apiGroup other than cert-manager.io', 'PerconaXtraDB', { issuerRef: { ...issuerRef, apiGroup: 'example.io' } }, 'spec.tls.issuerRef.apiGroup', ['"example.io"', 'cert-manager.io']],
    ['issuerRef without name', 'ProxySQL', { issuerRef: { apiGroup: 'cert-manager.io', kind: 'Issuer' } }, 'spec.tls.issuerRef.name', ['required', 'Issuer or ClusterIssuer']],
    ['issuerRef with an empty name', 'Pgpool', { issuerRef: { kind: 'ClusterIssuer', name: '' } }, 'spec.tls.issuerRef.name', ['required']],
    ['issuerRef a string', 'MySQL', { issuerRef: 'my-issuer' }, 'spec.tls.issuerRef', ['must be an object']],
    ["a certificate's issuerRef kind Foo", 'MySQL', server({ issuerRef: { name: 'x', kind: 'Foo' } }), `${c0}.issuerRef.kind`, ['"Foo"', 'Issuer or ClusterIssuer']],
    ["a certificate's issuerRef without name", 'Pgpool', server({ issuerRef: { kind: 'Issuer' } }), `${c0}.issuerRef.name`, ['required']],
    ["a certificate's issuerRef apiGroup", 'ProxySQL', server({ issuerRef: { name: 'x', apiGroup: 'acme.io' } }), `${c0}.issuerRef.apiGroup`, ['"acme.io"', 'cert-manager.io']],
    // names
    ['dnsNames entry not a DNS name', 'MySQL', server({ dnsNames: ['db.example.com', 'not a dns name!'] }), `${c0}.dnsNames[1]`, ['"not a dns name!"', 'DNS name']],
    ['dnsNames entry of 254 characters', 'MySQL', server({ dnsNames: [long] }), `${c0}.dnsNames[0]`, ['DNS name']],
    ['dnsNames label of 64 characters', 'PerconaXtraDB', server({ dnsNames: [`${'a'.repeat(64)}.example.com`] }), `${c0}.dnsNames[0]`, ['DNS name']],
    ['dnsNames *.*.x', 'ProxySQL', server({ dnsNames: ['*.*.x'] }), `${c0}.dnsNames[0]`, ['"*.*.x"', 'DNS name']],
    ['dnsNames wildcard inside a label', 'MySQL', server({ dnsNames: ['db*.example.com'] }), `${c0}.dnsNames[0]`, ['DNS name']],
    ['dnsNames label starting with -', 'Pgpool', server({ dnsNames: ['-db.example.com'] }), `${c0}.dnsNames[0]`, ['DNS name']],
    ['dnsNames with a trailing dot', 'MySQL', server({ dnsNames: ['db.example.com.'] }), `${c0}.dnsNames[0]`, ['DNS name']],
    ['dnsNames empty string', 'MySQL', server({ dnsNames: [''] }), `${c0}.dnsNames[0]`, ['DNS name']],
    ['dnsNames entry a number', 'MySQL', server({ dnsNames: [5] }), `${c0}.dnsNames[0]`, ['5', 'DNS name']],
    ['dnsNames a string, not a list', 'MySQL', server({ dnsNames: 'db.example.com' }), `${c0}.dnsNames`, ['must be a list', 'DNS name']],
    ['dnsNames with a non-ASCII letter', 'MySQL', server({ dnsNames: ['dätenbank.example.com'] }), `${c0}.dnsNames[0]`, ['DNS name']],
    ['dnsNames with a Cyrillic look-alike', 'PerconaXtraDB', server({ dnsNames: ['db.exаmple.com'] }), `${c0}.dnsNames[0]`, ['DNS name']],
    ['dnsNames with a zero-width space', 'MySQL', server({ dnsNames: ['db\u200b.example.com'] }), `${c0}.dnsNames[0]`, ['DNS name']],
    ['dnsNames with a Kelvin sign', 'MySQL', server({ dnsNames: ['\u212aube.example.com'] }), `${c0}.dnsNames[0]`, ['DNS name']],
    ['secretName with a Unicode hyphen', 'MySQL', server({ secretName: 'my\u2010tls' }), `${c0}.secretName`, ['not a valid Secret name']],
    ['secretName with a space', 'ProxySQL', server({ secretName: 'my tls' }), `${c0}.secretName`, ['"my tls"', 'not a valid Secret name']],
    ['secretName a wildcard', 'MySQL', server({ secretName: '*.tls' }), `${c0}.secretName`, ['not a valid Secret name']],
    ['ipAddresses 300.1.1.1', 'MySQL', server({ ipAddresses: ['10.0.0.1', '300.1.1.1'] }), `${c0}.ipAddresses[1]`, ['"300.1.1.1"', 'IP address']],
    ['ipAddresses a host name', 'Pgpool', server({ ipAddresses: ['localhost'] }), `${c0}.ipAddresses[0]`, ['"localhost"', 'IP address']],
    ['ipAddresses with a prefix length', 'PerconaXtraDB', server({ ipAddresses: ['10.0.0.0/8'] }), `${c0}.ipAddresses[0]`, ['IP address']],
    ['emailAddresses without @', 'MySQL', server({ emailAddresses: ['dba.example.com'] }), `${c0}.emailAddresses[0]`, ['"dba.example.com"', 'email address']],
    ['emailAddresses with two @', 'ProxySQL', server({ emailAddresses: ['a@b@example.com'] }), `${c0}.emailAddresses[0]`, ['email address']],
    ['emailAddresses with a bad domain', 'MySQL', server({ emailAddresses: ['dba@exa mple.com'] }), `${c0}.emailAddresses[0]`, ['email address']],
    ['uris without scheme', 'MySQL', server({ uris: ['db.example.com/path'] }), `${c0}.uris[0]`, ['"db.example.com/path"', 'URI']],
    ['uris that is a bare word', 'Pgpool', server({ uris: ['spiffe'] }), `${c0}.uris[0]`, ['URI']],
    // durations
    ['duration "90 days"', 'MySQL', server({ duration: '90 days' }), `${c0}.duration`, ['"90 days"', 'positive duration']],
    ['duration "0s"', 'PerconaXtraDB', server({ duration: '0s' }), `${c0}.duration`, ['"0s"', 'positive duration']],
    ['duration "-1h"', 'MySQL', server({ duration: '-1h' }), `${c0}.duration`, ['"-1h"']],
    ['duration a number', 'ProxySQL', server({ duration: 2160 }), `${c0}.duration`, ['2160', 'positive duration']],
    ['renewBefore "soon"', 'Pgpool', server({ renewBefore: 'soon' }), `${c0}.renewBefore`, ['"soon"', 'positive duration']],
    ['renewBefore equal to duration', 'MySQL', server({ duration: '720h', renewBefore: '720h' }), `${c0}.renewBefore`, ['720h', 'shorter than its duration']],
    ['renewBefore longer than duration', 'PerconaXtraDB', certs({ alias: 'client', duration: '24h', renewBefore: '48h' }), `${c0}.renewBefore`, ['48h', '24h', 'shorter']],
    ['renewBefore in other units, still longer', 'MySQL', server({ duration: '90m', renewBefore: '2h' }), `${c0}.renewBefore`, ['2h', '90m']],
    ['privateKey.encoding PEM', 'MySQL', server({ privateKey: { encoding: 'PEM' } }), `${c0}.privateKey.encoding`, ['"PEM"', 'PKCS1 or PKCS8']],
    ['privateKey.encoding lower case', 'Pgpool', server({ privateKey: { encoding: 'pkcs8' } }), `${c0}.privateKey.encoding`, ['"pkcs8"']],
    ['the second certificate is checked too', 'MySQL', certs({ alias: 'server' }, { alias: 'client', ipAddresses: ['1.2.3'] }), 'spec.tls.certificates[1].ipAddresses[0]', ['"1.2.3"']],
    // switches
    ['requireSSL on ProxySQL', 'ProxySQL', { issuerRef, requireSSL: true }, 'spec.tls.requireSSL', ['not a setting of ProxySQL']],
    ['requireSSL on Pgpool', 'Pgpool', { requireSSL: true }, 'spec.tls.requireSSL', ['not a setting of Pgpool', 'spec.tls.sslMode', 'spec.tls.clientAuthMode']],
    ['sslMode on MySQL', 'MySQL', { sslMode: 'require' }, 'spec.tls.sslMode', ['not a setting of MySQL', 'spec.tls.requireSSL']],
    ['clientAuthMode on PerconaXtraDB', 'PerconaXtraDB', { clientAuthMode: 'cert' }, 'spec.tls.clientAuthMode', ['not a setting of PerconaXtraDB']],
    ['sslMode on ProxySQL', 'ProxySQL', { sslMode: 'disable' }, 'spec.tls.sslMode', ['not a setting of ProxySQL']],
    ['sslMode verify', 'Pgpool', { sslMode: 'verify' }, 'spec.tls.sslMode', ['"verify"', 'disable, allow, prefer, require, verify-ca, verify-full']],
    ['sslMode in upper case', 'Pgpool', { sslMode: 'REQUIRE' }, 'spec.tls.sslMode', ['"REQUIRE"']],
    ['clientAuthMode password', 'Pgpool', { clientAuthMode: 'password' }, 'spec.tls.clientAuthMode', ['"password"', 'md5, scram, cert']],
    ['clientAuthMode scram-sha-256 (the hba name, not the field value)', 'Pgpool', { clientAuthMode: 'scram-sha-256' }, 'spec.tls.clientAuthMode', ['"scram-sha-256"', 'md5, scram, cert']],
    ['requireSSL "true" as a string', 'MySQL', { requireSSL: 'true' }, 'spec.tls.requireSSL', ['"true"', 'invalid']],
    // combinations
    ['remove with rotate', 'MySQL', { remove: true, rotateCertificates: true }, 'spec.tls', ['remove', 'rotateCertificates', 'together']],
    ['remove with rotate on Pgpool', 'Pgpool', { remove: true, rotateCertificates: true }, 'spec.tls', ['together']],
    ['remove with issuerRef', 'MySQL', { remove: true, issuerRef }, 'spec.tls', ['remove', 'cannot be combined']],
    ['remove with certificates', 'ProxySQL', { remove: true, certificates: [{ alias: 'server' }] }, 'spec.tls', ['remove', 'cannot be combined']],
    ['remove with requireSSL false', 'PerconaXtraDB', { remove: true, requireSSL: false }, 'spec.tls', ['remove', 'cannot be combined']],
    ['remove with sslMode disable', 'Pgpool', { remove: true, sslMode: 'disable' }, 'spec.tls', ['remove', 'cannot be combined']],
    ['remove with clientAuthMode cert', 'Pgpool', { remove: true, clientAuthMode: 'cert' }, 'spec.tls', ['remove', 'cannot be combined']],
    ['PerconaXtraDB rotate with issuerRef', 'PerconaXtraDB', { rotateCertificates: true, issuerRef }, 'spec.tls', ['PerconaXtraDB', 'rotateCertificates', 'requireSSL', 'two OpsRequests']],
    ['PerconaXtraDB rotate with requireSSL', 'PerconaXtraDB', { rotateCertificates: true, requireSSL: true }, 'spec.tls', ['PerconaXtraDB', 'two OpsRequests']],
    ['ProxySQL rotate with certificates', 'ProxySQL', { rotateCertificates: true, certificates: [{ alias: 'client', emailAddresses: ['a@b.c'] }] }, 'spec.tls', ['ProxySQL', 'two OpsRequests']],
    ['ProxySQL rotate with issuerRef', 'ProxySQL', { rotateCertificates: true, issuerRef }, 'spec.tls', ['ProxySQL', 'rotateCertificates']],
    ['tls: {} asks for nothing (MySQL)', 'MySQL', {}, 'spec.tls', ['asks for nothing', 'issuerRef, certificates, requireSSL']],
    ['tls: {} asks for nothing (Pgpool)', 'Pgpool', {}, 'spec.tls', ['asks for nothing', 'issuerRef, certificates, sslMode, clientAuthMode']],
    ['tls: {} asks for nothing (ProxySQL)', 'ProxySQL', {}, 'spec.tls', ['asks for nothing', 'issuerRef, certificates)']],
    ['empty certificates and rotate false ask for nothing', 'PerconaXtraDB', { certificates: [], rotateCertificates: false, remove: false }, 'spec.tls', ['asks for nothing']],
    ['tls a string', 'MySQL', 'rotate', 'spec.tls', ['required']],
    ['no tls', 'MySQL', undefined, 'spec.tls', ['required', 'ReconfigureTLS']],
    // the rest of the spec
    ['timeout given as a number', 'MySQL', { rotateCertificates: true }, 'spec.timeout', ['300', 'positive duration'], { timeout: 300 as unknown as string }],
    ['timeout "5 min"', 'Pgpool', { rotateCertificates: true }, 'spec.timeout', ['"5 min"'], { timeout: '5 min' }],
  ];
  test('at least 40 cases', () => assert.ok(cases.length >= 40, `${cases.length}`));
  for (const [name, kind, tls, field, words, extra] of cases) {
    test(`${kind}: ${name}`, () => assertRejected(validateSpec(profiles[kind], ops(kind, tls, extra)), field, words));
  }
});

describe('validateSpec: what cert-manager or Kubernetes would refuse later', () => {
  const cases: [string, DatabaseKind, unknown, string][] = [
    ['an email address with a non-ASCII local part (rfc822Name is IA5String)', 'MySQL', server({ emailAddresses: ['dätenbank@example.com'] }), `${c0}.emailAddresses[0]`],
    ['an IPv6 address with a zone (Go net.ParseIP refuses it)', 'MySQL', server({ ipAddresses: ['fe80::1%eth0'] }), `${c0}.ipAddresses[0]`],
    ['a secretName with upper-case letters (not an RFC 1123 name)', 'MySQL', server({ secretName: 'My-TLS' }), `${c0}.secretName`],
  ];
  for (const [name, kind, tls, field] of cases) {
    test(`${kind}: ${name}`, () => {
      const got = validateSpec(profiles[kind], ops(kind, tls));
      assert.equal(got.ok, false, `accepted: ${JSON.stringify(tls)}`);
      if (!got.ok) assert.equal(got.field, field);
    });
  }
});

describe('validateSpec accepts ReconfigureTLS', () => {
  const mysqlAdd = {
    requireSSL: true,
    issuerRef: { apiGroup: 'cert-manager.io', kind: 'Issuer', name: 'mysql-issuer' },
    certificates: [
      { alias: 'server', subject: { organizations: ['kubedb:server'] }, dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], emailAddresses: ['dev@appscode.com'] },
      { alias: 'client', subject: { organizations: ['mysql'], organizationalUnits: ['client'] } },
    ],
  };
  const cases: [string, DatabaseKind, unknown, Partial<Spec>?][] = [
    // MySQL (reconfigure-tls guide)
    ['MySQL add with issuerRef, certificates subject and requireSSL', 'MySQL', mysqlAdd],
    ['MySQL rotate', 'MySQL', { rotateCertificates: true }],
    ['MySQL update certificates (emailAddresses)', 'MySQL', { certificates: [{ alias: 'client', emailAddresses: ['abc@appscode.com'] }] }],
    ['MySQL change issuer', 'MySQL', { issuerRef: { apiGroup: 'cert-manager.io', kind: 'Issuer', name: 'my-new-issuer' } }],
    ['MySQL remove', 'MySQL', { remove: true }],
    ['MySQL rotate together with an update', 'MySQL', { rotateCertificates: true, certificates: [{ alias: 'server', emailAddresses: ['dba@example.com'] }] }],
    ['MySQL rotate together with requireSSL', 'MySQL', { rotateCertificates: true, requireSSL: false }],
    ['MySQL requireSSL only', 'MySQL', { requireSSL: true }],
    ['MySQL metrics-exporter certificate', 'MySQL', { certificates: [{ alias: 'metrics-exporter', subject: { organizations: ['mysql'] } }] }],
    // PerconaXtraDB
    ['PerconaXtraDB add', 'PerconaXtraDB', { issuerRef: { apiGroup: 'cert-manager.io', kind: 'Issuer', name: 'px-issuer' }, certificates: [{ alias: 'server', subject: { organizations: ['kubedb:server'] }, dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], emailAddresses: ['dev@appscode.com'] }] }],
    ['PerconaXtraDB add with requireSSL', 'PerconaXtraDB', { issuerRef, requireSSL: true }],
    ['PerconaXtraDB rotate', 'PerconaXtraDB', { rotateCertificates: true }],
    ['PerconaXtraDB update certificates', 'PerconaXtraDB', { certificates: [{ alias: 'client', emailAddresses: ['abc@appscode.com'] }] }],
    ['PerconaXtraDB change issuer', 'PerconaXtraDB', { issuerRef: { apiGroup: 'cert-manager.io', kind: 'Issuer', name: 'px-new-issuer' } }],
    ['PerconaXtraDB remove', 'PerconaXtraDB', { remove: true }],
    // ProxySQL
    ['ProxySQL add', 'ProxySQL', { issuerRef: { apiGroup: 'cert-manager.io', kind: 'Issuer', name: 'proxy-issuer' }, certificates: [{ alias: 'server', subject: { organizations: ['kubedb:server'] }, dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] }] }],
    ['ProxySQL rotate', 'ProxySQL', { rotateCertificates: true }],
    ['ProxySQL update certificates', 'ProxySQL', { certificates: [{ alias: 'client', emailAddresses: ['abc@appscode.com'] }] }],
    ['ProxySQL change issuer to a ClusterIssuer', 'ProxySQL', { issuerRef: { apiGroup: 'cert-manager.io', kind: 'ClusterIssuer', name: 'proxy-new-issuer' } }],
    ['ProxySQL remove', 'ProxySQL', { remove: true }],
    // Pgpool
    [
      'Pgpool add with sslMode require and clientAuthMode cert',
      'Pgpool',
      { sslMode: 'require', clientAuthMode: 'cert', issuerRef: { apiGroup: 'cert-manager.io', kind: 'Issuer', name: 'pgpool-issuer' }, certificates: [{ alias: 'client', subject: { organizations: ['pgpool'], organizationalUnits: ['client'] } }] },
    ],
    ['Pgpool add with issuerRef alone', 'Pgpool', { issuerRef: { name: 'pgpool-issuer' } }],
    ['Pgpool rotate', 'Pgpool', { rotateCertificates: true }],
    ['Pgpool rotate with sslMode', 'Pgpool', { rotateCertificates: true, sslMode: 'verify-full' }],
    ['Pgpool update certificates', 'Pgpool', { certificates: [{ alias: 'client', subject: { organizations: ['pgpool'], organizationalUnits: ['client'] }, emailAddresses: ['abc@appscode.com'] }] }],
    ['Pgpool change issuer', 'Pgpool', { issuerRef: { apiGroup: 'cert-manager.io', kind: 'Issuer', name: 'pgpool-new-issuer' } }],
    ['Pgpool remove', 'Pgpool', { remove: true }],
    ['Pgpool sslMode only', 'Pgpool', { sslMode: 'verify-ca' }],
    ['Pgpool clientAuthMode scram', 'Pgpool', { clientAuthMode: 'scram' }],
    // field forms
    [
      'every certificate field, valid',
      'MySQL',
      certs({
        alias: 'server',
        issuerRef: { kind: 'ClusterIssuer', name: 'other-ca' },
        secretName: 'my-db-tls',
        subject: { organizations: ['acme'], countries: ['DE'], organizationalUnits: ['db'], localities: ['Berlin'], provinces: ['BE'], streetAddresses: ['Main St 1'], postalCodes: ['10115'], serialNumber: '1' },
        duration: '2160h0m0s',
        renewBefore: '360h',
        dnsNames: ['*.example.com', 'DB.Example.com', 'x'],
        ipAddresses: ['10.0.0.7', '2001:db8::1'],
        uris: ['spiffe://cluster.local/ns/demo/sa/db', 'https://db.example.com/'],
        emailAddresses: ['dba@example.com'],
        privateKey: { encoding: 'PKCS8' },
      }),
    ],
    ['an empty secretName counts as unset', 'MySQL', server({ secretName: '' })],
    ['a DNS name of 253 characters', 'MySQL', server({ dnsNames: [long.slice(1)] })],
    ['renewBefore just shorter than duration', 'MySQL', server({ duration: '2h', renewBefore: '119m' })],
    ['PKCS1', 'ProxySQL', server({ privateKey: { encoding: 'PKCS1' } })],
    ['a privateKey without encoding', 'PerconaXtraDB', server({ privateKey: {} })],
    ['with timeout, apply and maxRetries', 'MySQL', { rotateCertificates: true }, { timeout: '10m', apply: 'Always', maxRetries: 3 }],
  ];
  for (const [name, kind, tls, extra] of cases) {
    test(`${kind}: ${name}`, () => assert.deepEqual(validateSpec(profiles[kind], ops(kind, tls, extra)), { ok: true }));
  }
});
