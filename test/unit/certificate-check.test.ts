// The pre-flight check of a certificate Secret, against real certificates made here with @peculiar/x509.
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { createPrivateKey, webcrypto } from 'node:crypto';
import { before, describe, test } from 'node:test';
import * as x509 from '@peculiar/x509';
import { certificateProblems, type TLSSecretData } from '../../model/certificate-check.ts';
import type { SecretCheck } from '../../model/plan.ts';

x509.cryptoProvider.set(webcrypto);

type Keys = webcrypto.CryptoKeyPair;
const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
const hour = 3_600_000;
const day = 24 * hour;
const now = new Date('2026-06-01T12:00:00Z');

const newKeys = async (): Promise<Keys> => (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as Keys;
const keyPem = async (k: Keys) => x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', k.privateKey), 'PRIVATE KEY');
const pem = (c: x509.X509Certificate) => `${c.toString('pem').trim()}\n`;
let serial = 1;

async function makeCA(name: string, keys: Keys, signer?: { cert: x509.X509Certificate; keys: Keys }) {
  const extensions = [
    new x509.BasicConstraintsExtension(true, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
  ];
  if (!signer) {
    return x509.X509CertificateGenerator.createSelfSigned({ serialNumber: `0${serial++}`, name, notBefore: new Date(now.getTime() - day), notAfter: new Date(now.getTime() + 3650 * day), keys, signingAlgorithm: alg, extensions });
  }
  return x509.X509CertificateGenerator.create({
    serialNumber: `0${serial++}`,
    subject: name,
    issuer: signer.cert.subject,
    notBefore: new Date(now.getTime() - day),
    notAfter: new Date(now.getTime() + 3650 * day),
    publicKey: keys.publicKey,
    signingKey: signer.keys.privateKey,
    signingAlgorithm: alg,
    extensions,
  });
}

interface LeafOptions {
  notBefore?: Date;
  notAfter?: Date;
  /** undefined: server auth and client auth; null: no EKU extension at all. */
  eku?: string[] | null;
  names?: x509.JsonGeneralName[];
}

async function makeLeaf(keys: Keys, signer: { cert: x509.X509Certificate; keys: Keys }, o: LeafOptions = {}) {
  const eku = o.eku === undefined ? [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth] : o.eku;
  return x509.X509CertificateGenerator.create({
    serialNumber: `0${serial++}`,
    subject: 'CN=db.ns.svc, O=kubedb',
    issuer: signer.cert.subject,
    notBefore: o.notBefore ?? new Date(now.getTime() - hour),
    notAfter: o.notAfter ?? new Date(now.getTime() + 90 * day),
    publicKey: keys.publicKey,
    signingKey: signer.keys.privateKey,
    signingAlgorithm: alg,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      ...(eku ? [new x509.ExtendedKeyUsageExtension(eku, false)] : []),
      new x509.SubjectAlternativeNameExtension(
        o.names ?? [
          { type: 'dns', value: '*.db-pods.ns.svc' },
          { type: 'dns', value: 'db' },
          { type: 'dns', value: 'db.ns.svc' },
          { type: 'ip', value: '10.0.0.7' },
        ],
      ),
    ],
  });
}

const serverCheck: SecretCheck = { secretName: 'db-server-cert', alias: 'server', usages: ['server auth'], names: ['db', 'db.ns.svc', 'db-0.db-pods.ns.svc', 'db-1.db-pods.ns.svc'] };
const clientCheck: SecretCheck = { secretName: 'db-client-cert', alias: 'client', usages: ['client auth'], names: [] };

let ca: { cert: x509.X509Certificate; keys: Keys };
let otherCA: { cert: x509.X509Certificate; keys: Keys };
let sameNameCA: { cert: x509.X509Certificate; keys: Keys };
let leafKeys: Keys;
let good: TLSSecretData;

before(async () => {
  const caKeys = await newKeys();
  ca = { cert: await makeCA('CN=opsflow test CA', caKeys), keys: caKeys };
  const otherKeys = await newKeys();
  otherCA = { cert: await makeCA('CN=another CA', otherKeys), keys: otherKeys };
  const sameKeys = await newKeys();
  sameNameCA = { cert: await makeCA('CN=opsflow test CA', sameKeys), keys: sameKeys };
  leafKeys = await newKeys();
  good = { 'ca.crt': pem(ca.cert), 'tls.crt': pem(await makeLeaf(leafKeys, ca)), 'tls.key': await keyPem(leafKeys) };
});

const secretWith = async (o: LeafOptions, signer = ca): Promise<TLSSecretData> => ({ 'ca.crt': pem(ca.cert), 'tls.crt': pem(await makeLeaf(leafKeys, signer, o)), 'tls.key': await keyPem(leafKeys) });

describe('certificateProblems: good certificates', () => {
  test('a good server certificate: no problems', () => assert.deepEqual(certificateProblems(good, serverCheck, now), []));
  test('the same Secret as a client certificate: no problems', () => assert.deepEqual(certificateProblems(good, clientCheck, now), []));
  test('a key in PKCS#1/SEC1 (cert-manager’s default encoding)', () => {
    const sec1 = createPrivateKey(good['tls.key']!).export({ type: 'sec1', format: 'pem' }) as string;
    assert.match(sec1, /BEGIN EC PRIVATE KEY/);
    assert.deepEqual(certificateProblems({ ...good, 'tls.key': sec1 }, serverCheck, now), []);
  });
  test('ca.crt with several CAs (an issuer change in progress)', () => {
    assert.deepEqual(certificateProblems({ ...good, 'ca.crt': pem(otherCA.cert) + pem(ca.cert) }, serverCheck, now), []);
  });
  test('a chain through an intermediate included in tls.crt', async () => {
    const interKeys = await newKeys();
    const inter = { cert: await makeCA('CN=opsflow intermediate', interKeys, ca), keys: interKeys };
    const leaf = await makeLeaf(leafKeys, inter);
    const data = { 'ca.crt': pem(ca.cert), 'tls.crt': pem(leaf) + pem(inter.cert), 'tls.key': await keyPem(leafKeys) };
    assert.deepEqual(certificateProblems(data, serverCheck, now), []);
    // without the intermediate the chain breaks
    const broken = certificateProblems({ ...data, 'tls.crt': pem(leaf) }, serverCheck, now);
    assert.equal(broken.length, 1, broken.join('\n'));
    assert.match(broken[0]!, /does not chain to the CA in ca\.crt/);
  });
  test('no EKU extension at all: no usage problem', async () => {
    assert.deepEqual(certificateProblems(await secretWith({ eku: null }), serverCheck, now), []);
  });
  test('an IP name covered by an IP SAN', () => assert.deepEqual(certificateProblems(good, { ...serverCheck, names: ['10.0.0.7'] }, now), []));
  test('renewBefore shorter than what is left: fine', async () => {
    const data = await secretWith({ notAfter: new Date(now.getTime() + 240 * hour) });
    assert.deepEqual(certificateProblems(data, { ...serverCheck, renewBeforeMs: 239 * hour }, now), []);
  });
});

describe('certificateProblems: bad certificates', () => {
  test('signed by another CA than the one in ca.crt', async () => {
    const got = certificateProblems(await secretWith({}, otherCA), serverCheck, now);
    assert.equal(got.length, 1, got.join('\n'));
    assert.ok(got[0]!.includes('does not chain to the CA in ca.crt'), got[0]);
    assert.ok(got[0]!.includes('CN=another CA'), 'names the issuer');
    assert.ok(got[0]!.includes('CN=opsflow test CA'), 'names the CA in ca.crt');
  });
  test('signed by another CA of the same name', async () => {
    const got = certificateProblems(await secretWith({}, sameNameCA), serverCheck, now);
    assert.equal(got.length, 1, got.join('\n'));
    assert.match(got[0]!, /does not chain to the CA in ca\.crt/);
  });
  test('signed by a certificate that is not a CA (basicConstraints CA:FALSE), shipped as ca.crt', async () => {
    // It may sign certificates (keyCertSign), but it says it is no CA: a TLS client rejects what it signs.
    const signerKeys = await newKeys();
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: `0${serial++}`,
      name: 'CN=not a CA',
      notBefore: new Date(now.getTime() - day),
      notAfter: new Date(now.getTime() + 365 * day),
      keys: signerKeys,
      signingAlgorithm: alg,
      extensions: [new x509.BasicConstraintsExtension(false, undefined, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.digitalSignature, true)],
    });
    const notCA = { cert, keys: signerKeys };
    const leaf = await makeLeaf(leafKeys, notCA);
    const got = certificateProblems({ 'ca.crt': pem(notCA.cert), 'tls.crt': pem(leaf), 'tls.key': await keyPem(leafKeys) }, serverCheck, now);
    assert.equal(got.length, 1, got.join('\n'));
    assert.match(got[0]!, /does not chain to the CA in ca\.crt .*; ca\.crt holds a certificate that is not a CA/);
  });
  test('tls.key of another key pair', async () => {
    const other = await newKeys();
    assert.deepEqual(certificateProblems({ ...good, 'tls.key': await keyPem(other) }, serverCheck, now), ['tls.key is not the private key of the certificate in tls.crt']);
  });
  const unreadable: [string, string | undefined][] = [
    ['garbage', 'not a key'],
    ['empty', ''],
    ['missing', undefined],
    ['a certificate instead of a key', 'CERT'],
  ];
  for (const [name, key] of unreadable) {
    test(`unreadable tls.key: ${name}`, () => {
      const data = { ...good, 'tls.key': key === 'CERT' ? good['tls.crt'] : key };
      assert.deepEqual(certificateProblems(data, serverCheck, now), ['tls.key holds no readable private key']);
    });
  }
  test('expired', async () => {
    const notAfter = new Date('2026-05-01T00:00:00Z');
    const data = await secretWith({ notBefore: new Date('2026-01-01T00:00:00Z'), notAfter });
    assert.deepEqual(certificateProblems(data, serverCheck, now), ['the certificate expired at 2026-05-01T00:00:00.000Z']);
  });
  test('expired, with a renewBefore: only the expiry is reported', async () => {
    const data = await secretWith({ notBefore: new Date('2026-01-01T00:00:00Z'), notAfter: new Date('2026-05-01T00:00:00Z') });
    assert.deepEqual(certificateProblems(data, { ...serverCheck, renewBeforeMs: 360 * hour }, now), ['the certificate expired at 2026-05-01T00:00:00.000Z']);
  });
  test('not valid yet', async () => {
    const data = await secretWith({ notBefore: new Date('2026-06-02T00:00:00Z') });
    assert.deepEqual(certificateProblems(data, serverCheck, now), ['the certificate is not valid before 2026-06-02T00:00:00.000Z']);
  });
  test('valid for less than renewBefore: names both durations', async () => {
    const data = await secretWith({ notAfter: new Date(now.getTime() + 240 * hour) });
    const got = certificateProblems(data, { ...serverCheck, renewBeforeMs: 360 * hour }, now);
    assert.equal(got.length, 1, got.join('\n'));
    assert.ok(got[0]!.includes('valid for 240h more'), got[0]);
    assert.ok(got[0]!.includes('renewBefore (360h)'), got[0]);
  });
  test('valid for exactly renewBefore: renewed at once too', async () => {
    const data = await secretWith({ notAfter: new Date(now.getTime() + 240 * hour) });
    const got = certificateProblems(data, { ...serverCheck, renewBeforeMs: 240 * hour }, now);
    assert.equal(got.length, 1);
    assert.match(got[0]!, /renewBefore \(240h\)/);
  });
  test('an EKU of client auth only for a server check', async () => {
    const data = await secretWith({ eku: [x509.ExtendedKeyUsage.clientAuth] });
    assert.deepEqual(certificateProblems(data, serverCheck, now), ['the certificate lacks the extended key usage "server auth"']);
    assert.deepEqual(certificateProblems(data, clientCheck, now), [], 'fine as a client certificate');
  });
  test('an EKU of server auth only for a client check', async () => {
    const data = await secretWith({ eku: [x509.ExtendedKeyUsage.serverAuth] });
    assert.deepEqual(certificateProblems(data, clientCheck, now), ['the certificate lacks the extended key usage "client auth"']);
  });
  test('names not covered are listed; the wildcard covers the pods', () => {
    const got = certificateProblems(good, { ...serverCheck, names: ['db-0.db-pods.ns.svc', 'other.example.com', 'a.b.db-pods.ns.svc', '10.0.0.8'] }, now);
    assert.equal(got.length, 1, got.join('\n'));
    assert.ok(got[0]!.startsWith('the certificate does not cover other.example.com, a.b.db-pods.ns.svc, 10.0.0.8 '), got[0]);
    assert.ok(!got[0]!.includes('does not cover db-0'), got[0]);
    assert.ok(got[0]!.includes('DNS:*.db-pods.ns.svc'), 'lists the names it has');
  });
  test('a certificate without the pod names', async () => {
    const data = await secretWith({ names: [{ type: 'dns', value: 'db' }] });
    const got = certificateProblems(data, serverCheck, now);
    assert.equal(got.length, 1);
    assert.ok(got[0]!.startsWith('the certificate does not cover db.ns.svc, db-0.db-pods.ns.svc, db-1.db-pods.ns.svc '), got[0]);
  });
  test('several problems at once', async () => {
    const other = await newKeys();
    const data = { ...(await secretWith({ eku: [x509.ExtendedKeyUsage.clientAuth] }, otherCA)), 'tls.key': await keyPem(other) };
    const got = certificateProblems(data, { ...serverCheck, names: ['nowhere.example.com'] }, now);
    assert.equal(got.length, 4, got.join('\n'));
  });
  const empties: [string, TLSSecretData, string][] = [
    ['empty tls.crt', { 'ca.crt': 'x', 'tls.crt': '', 'tls.key': 'x' }, 'tls.crt holds no certificate'],
    ['no tls.crt', { 'ca.crt': 'x' }, 'tls.crt holds no certificate'],
    ['tls.crt without PEM', { 'ca.crt': 'x', 'tls.crt': 'MIIB...' }, 'tls.crt holds no certificate'],
    ['empty ca.crt', { 'ca.crt': '', 'tls.crt': 'LEAF', 'tls.key': 'KEY' }, 'ca.crt holds no CA certificate'],
    ['no ca.crt', { 'tls.crt': 'LEAF', 'tls.key': 'KEY' }, 'ca.crt holds no CA certificate'],
  ];
  for (const [name, data, want] of empties) {
    test(name, () => {
      const filled = { ...data, ...(data['tls.crt'] === 'LEAF' ? { 'tls.crt': good['tls.crt'] } : {}), ...(data['tls.key'] === 'KEY' ? { 'tls.key': good['tls.key'] } : {}) };
      assert.deepEqual(certificateProblems(filled, serverCheck, now), [want]);
    });
  }
});

describe('certificateProblems: the CA itself', () => {
  test('a CA that expires before the certificate is renewed: a problem naming both times', async () => {
    const keys = await newKeys();
    const shortLived = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: '0fe',
      name: 'CN=short-lived CA',
      notBefore: new Date(now.getTime() - hour),
      notAfter: new Date(now.getTime() + hour),
      keys,
      signingAlgorithm: alg,
      extensions: [new x509.BasicConstraintsExtension(true, undefined, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign, true)],
    });
    // The leaf lives 90 days: renewed after 60 (no renewBefore), or 10 days before its end.
    const data = { 'ca.crt': pem(shortLived), 'tls.crt': pem(await makeLeaf(leafKeys, { cert: shortLived, keys })), 'tls.key': await keyPem(leafKeys) };
    for (const check of [serverCheck, { ...serverCheck, renewBeforeMs: 10 * day }]) {
      const got = certificateProblems(data, check, now);
      assert.equal(got.length, 1, got.join('\n'));
      assert.match(got[0]!, /^the CA certificate CN=short-lived CA expires at 2026-06-01T13:00:00.000Z, before this certificate is renewed \(2026-0[78]-..T..:..:..\.000Z\): clients stop trusting it then$/);
    }
  });
  test('an expired CA in ca.crt is a problem', async () => {
    const keys = await newKeys();
    const old = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: '0ff',
      name: 'CN=expired CA',
      notBefore: new Date('2020-01-01T00:00:00Z'),
      notAfter: new Date('2026-01-01T00:00:00Z'),
      keys,
      signingAlgorithm: alg,
      extensions: [new x509.BasicConstraintsExtension(true, undefined, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign, true)],
    });
    const data = { 'ca.crt': pem(old), 'tls.crt': pem(await makeLeaf(leafKeys, { cert: old, keys })), 'tls.key': await keyPem(leafKeys) };
    assert.notDeepEqual(certificateProblems(data, serverCheck, now), []);
  });
});
