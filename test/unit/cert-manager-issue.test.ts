// Issuance by the cert-manager stand-in: real X.509 certificates, checked with node:crypto's parser.
import assert from 'node:assert/strict';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { before, describe, test } from 'node:test';
import { issue, type Issued } from '../../tools/cert-manager/issue.ts';
import type { CertificateSpec } from '../../tools/cert-manager/types.ts';

const now = new Date('2026-03-01T12:00:00.750Z');

const caSpec: CertificateSpec = {
  secretName: 'ca',
  issuerRef: { name: 'selfsigned' },
  isCA: true,
  commonName: 'opsflow test CA',
  subject: { organizations: ['opsflow'] },
  duration: '87600h',
};

const leafSpec: CertificateSpec = {
  secretName: 'db-tls',
  issuerRef: { name: 'ca' },
  commonName: 'db.demo.svc',
  dnsNames: ['db.demo.svc', '*.db-pods.demo.svc'],
  ipAddresses: ['127.0.0.1', '2001:db8::1'],
  uris: ['spiffe://cluster.local/ns/demo/sa/db'],
  emailAddresses: ['dba@example.com'],
  subject: {
    organizations: ['kubedb'],
    organizationalUnits: ['databases'],
    countries: ['DE'],
    localities: ['Berlin'],
    provinces: ['BE'],
    streetAddresses: ['Main St 1'],
    postalCodes: ['10115'],
    serialNumber: '1234',
  },
  duration: '720h',
  usages: ['digital signature', 'key encipherment', 'server auth', 'client auth'],
};

let ca: Issued;
let caCert: X509Certificate;

before(async () => {
  ca = await issue(caSpec, undefined, now);
  caCert = new X509Certificate(ca.certPem);
});

describe('issue', () => {
  test('a self-signed CA: basicConstraints CA:TRUE, keyCertSign, its own ca.crt', () => {
    assert.equal(caCert.ca, true);
    assert.equal(caCert.subject, caCert.issuer);
    assert.ok(caCert.verify(caCert.publicKey));
    assert.equal(ca.caPem, ca.certPem);
    assert.ok(caCert.checkPrivateKey(createPrivateKey(ca.keyPem)));
    assert.match(ca.keyPem, /^-----BEGIN RSA PRIVATE KEY-----/, 'PKCS#1 is the default encoding');
  });

  test('a leaf signed by the CA, with the subject, SANs, usages and duration asked for', async () => {
    const leaf = await issue(leafSpec, { certPem: ca.certPem, keyPem: ca.keyPem }, now);
    const cert = new X509Certificate(leaf.certPem);
    assert.equal(cert.issuer, caCert.subject);
    assert.ok(cert.verify(caCert.publicKey), 'signed by the CA key');
    assert.equal(cert.ca, false);
    assert.ok(cert.checkPrivateKey(createPrivateKey(leaf.keyPem)));
    assert.equal(leaf.caPem, ca.certPem, 'ca.crt is the CA certificate');
    assert.equal(leaf.certPem.match(/BEGIN CERTIFICATE/g)?.length, 1, 'tls.crt is the leaf alone under a root CA');

    const subject = cert.subject.split('\n');
    for (const line of ['CN=db.demo.svc', 'O=kubedb', 'OU=databases', 'C=DE', 'L=Berlin', 'ST=BE', 'street=Main St 1', 'postalCode=10115', 'serialNumber=1234']) {
      assert.ok(subject.includes(line), `${line} in ${cert.subject}`);
    }
    const sans = cert.subjectAltName!.split(', ');
    assert.deepEqual(sans.sort(), [
      'DNS:*.db-pods.demo.svc',
      'DNS:db.demo.svc',
      'IP Address:127.0.0.1',
      'IP Address:2001:DB8:0:0:0:0:0:1',
      'URI:spiffe://cluster.local/ns/demo/sa/db',
      'email:dba@example.com',
    ].sort());
    assert.deepEqual([...(cert.keyUsage ?? [])].sort(), ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2'], 'extended key usages');

    // X.509 validity has whole seconds: from now (truncated) for exactly 720 hours.
    assert.equal(leaf.notBefore.toISOString(), '2026-03-01T12:00:00.000Z');
    assert.equal(leaf.notAfter.getTime() - leaf.notBefore.getTime(), 720 * 3600 * 1000);
    assert.equal(new Date(cert.validFrom).getTime(), leaf.notBefore.getTime());
    assert.equal(new Date(cert.validTo).getTime(), leaf.notAfter.getTime());
    assert.equal(cert.serialNumber.toUpperCase(), leaf.serialNumber);
  });

  test('each issuance has a fresh serial and a fresh key', async () => {
    const a = await issue(leafSpec, { certPem: ca.certPem, keyPem: ca.keyPem }, now);
    const b = await issue(leafSpec, { certPem: ca.certPem, keyPem: ca.keyPem }, now);
    assert.notEqual(a.serialNumber, b.serialNumber);
    assert.notEqual(a.keyPem, b.keyPem);
    assert.ok(/^[0-7]/.test(a.serialNumber.padStart(32, '0')), 'serial is positive');
  });

  test('key encodings and algorithms: PKCS1 vs PKCS8, RSA vs ECDSA', async () => {
    const rsa1 = await issue({ ...leafSpec, privateKey: { encoding: 'PKCS1' } }, undefined, now);
    const rsa8 = await issue({ ...leafSpec, privateKey: { encoding: 'PKCS8' } }, undefined, now);
    const ec1 = await issue({ ...leafSpec, privateKey: { algorithm: 'ECDSA' } }, undefined, now);
    const ec8 = await issue({ ...leafSpec, privateKey: { algorithm: 'ECDSA', size: 384, encoding: 'PKCS8' } }, undefined, now);
    assert.match(rsa1.keyPem, /^-----BEGIN RSA PRIVATE KEY-----\n/);
    assert.match(rsa8.keyPem, /^-----BEGIN PRIVATE KEY-----\n/);
    assert.match(ec1.keyPem, /^-----BEGIN EC PRIVATE KEY-----\n/);
    assert.match(ec8.keyPem, /^-----BEGIN PRIVATE KEY-----\n/);
    assert.equal(createPrivateKey(rsa1.keyPem).asymmetricKeyDetails?.modulusLength, 2048, 'RSA defaults to 2048 bits');
    assert.equal(createPrivateKey(ec1.keyPem).asymmetricKeyDetails?.namedCurve, 'prime256v1', 'ECDSA defaults to P-256');
    assert.equal(createPrivateKey(ec8.keyPem).asymmetricKeyDetails?.namedCurve, 'secp384r1');
  });

  test('an ECDSA CA signs an RSA leaf', async () => {
    const ecCA = await issue({ ...caSpec, privateKey: { algorithm: 'ECDSA', size: 384 } }, undefined, now);
    const leaf = await issue(leafSpec, { certPem: ecCA.certPem, keyPem: ecCA.keyPem }, now);
    assert.ok(new X509Certificate(leaf.certPem).verify(new X509Certificate(ecCA.certPem).publicKey));
  });

  // cert-manager's CA issuer reads only tls.crt of its Secret; when that chain does not end in a self-signed
  // root, its top-most certificate becomes ca.crt and stays in tls.crt.
  test('an intermediate CA: tls.crt carries the chain, ca.crt is the top of the CA chain', async () => {
    const intermediate = await issue({ ...caSpec, commonName: 'intermediate' }, { certPem: ca.certPem, keyPem: ca.keyPem }, now);
    assert.equal(intermediate.caPem, ca.certPem);
    const leaf = await issue(leafSpec, { certPem: intermediate.certPem, keyPem: intermediate.keyPem }, now);
    const blocks = leaf.certPem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)!;
    assert.equal(blocks.length, 2);
    assert.equal(new X509Certificate(blocks[1]!).subject, new X509Certificate(intermediate.certPem).subject);
    assert.equal(leaf.caPem, intermediate.certPem);
    const withRoot = await issue(leafSpec, { certPem: intermediate.certPem + ca.certPem, keyPem: intermediate.keyPem }, now);
    assert.equal(withRoot.caPem, ca.certPem, 'a chain ending in a self-signed root: the root is ca.crt');
    assert.equal(withRoot.certPem.match(/BEGIN CERTIFICATE/g)?.length, 2, 'and is left out of tls.crt');
  });

  test('defaults: 90 days, digital signature + key encipherment, not a CA', async () => {
    const leaf = await issue({ secretName: 's', issuerRef: { name: 'ss' }, dnsNames: ['only.example'] }, undefined, now);
    const cert = new X509Certificate(leaf.certPem);
    assert.equal(leaf.notAfter.getTime() - leaf.notBefore.getTime(), 2160 * 3600 * 1000);
    assert.equal(cert.ca, false);
    assert.equal(cert.keyUsage, undefined, 'no extended key usage unless asked');
    assert.ok(!cert.subject, 'empty subject');
  });

  test('refuses a CA secret that is not a CA, or whose key does not match', async () => {
    const leaf = await issue(leafSpec, { certPem: ca.certPem, keyPem: ca.keyPem }, now);
    await assert.rejects(issue(leafSpec, { certPem: leaf.certPem, keyPem: leaf.keyPem }, now), /not a CA/);
    await assert.rejects(issue(leafSpec, { certPem: ca.certPem, keyPem: leaf.keyPem }, now), /does not match/);
    await assert.rejects(issue({ ...leafSpec, usages: ['flying'] }, undefined, now), /unknown usage/);
    await assert.rejects(issue({ ...leafSpec, ipAddresses: ['not-an-ip'] }, undefined, now), /invalid IP/);
  });
});

describe('issue with privateKey.rotationPolicy', () => {
  test('Never reuses a key that still fits the spec; Always (default) makes a new one', async () => {
    const first = await issue(leafSpec, undefined, now);
    const never = await issue({ ...leafSpec, privateKey: { rotationPolicy: 'Never' } }, undefined, now, first.keyPem);
    const always = await issue(leafSpec, undefined, now, first.keyPem);
    assert.equal(never.keyPem, first.keyPem);
    assert.notEqual(never.serialNumber, first.serialNumber);
    assert.notEqual(always.keyPem, first.keyPem);
    const changed = await issue({ ...leafSpec, privateKey: { rotationPolicy: 'Never', algorithm: 'ECDSA' } }, undefined, now, first.keyPem);
    assert.match(changed.keyPem, /EC PRIVATE KEY/, 'a key that no longer fits is replaced');
  });
});
