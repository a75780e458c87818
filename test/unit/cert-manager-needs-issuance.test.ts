// The decision table of the cert-manager stand-in: for each situation, does the Certificate need a new
// certificate, and for which reason. Fixtures are real certificates made by issue().
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { issue, type Issued } from '../../tools/cert-manager/issue.ts';
import { needsIssuance } from '../../tools/cert-manager/needs-issuance.ts';
import { ANNOTATIONS, issuedSecret, secretView } from '../../tools/cert-manager/secret.ts';
import type { CMCertificate, CertificateSpec, SecretView } from '../../tools/cert-manager/types.ts';
import type { Condition } from '../../model/types.ts';

const issuedAt = new Date('2026-01-01T00:00:00Z');
const day = 24 * 3600 * 1000;
const at = (days: number) => new Date(issuedAt.getTime() + days * day);

const spec: CertificateSpec = {
  secretName: 'db-tls',
  issuerRef: { name: 'ca', kind: 'Issuer', group: 'cert-manager.io' },
  commonName: 'db.example',
  dnsNames: ['db.example', 'db-0.db.example'],
  ipAddresses: ['10.0.0.1', '::1'],
  uris: ['spiffe://cluster.local/ns/demo/sa/db'],
  emailAddresses: ['dba@example.com'],
  subject: { organizations: ['kubedb'], countries: ['DE'] },
  duration: '720h',
  usages: ['digital signature', 'key encipherment', 'server auth', 'client auth'],
  privateKey: { algorithm: 'ECDSA', encoding: 'PKCS8' },
};

function certificate(changes: Partial<CertificateSpec> = {}, status?: { conditions?: Condition[] }, generation = 1): CMCertificate {
  return {
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: { name: 'db', namespace: 'demo', generation },
    spec: { ...spec, ...changes },
    status,
  };
}

let issued: Issued;
let other: Issued;
let secret: SecretView;
let chained: SecretView;

before(async () => {
  issued = await issue(spec, undefined, issuedAt);
  other = await issue(spec, undefined, issuedAt);
  secret = secretView(issuedSecret(certificate(), issued));
  // Signed by an intermediate CA: tls.crt holds the certificate followed by the intermediate.
  const root = await issue({ secretName: 'root', issuerRef: { name: 'ss' }, isCA: true, commonName: 'root' }, undefined, issuedAt);
  const intermediate = await issue({ secretName: 'int', issuerRef: { name: 'root' }, isCA: true, commonName: 'int' }, root, issuedAt);
  chained = secretView(issuedSecret(certificate(), await issue(spec, intermediate, issuedAt)));
});

const withData = (data: Record<string, string | undefined>): SecretView => ({
  ...secret,
  data: Object.fromEntries(Object.entries({ ...secret.data, ...data }).filter(([, v]) => v !== undefined)) as Record<string, string>,
});
const withAnnotations = (annotations: Record<string, string | undefined>): SecretView => ({
  ...secret,
  annotations: Object.fromEntries(Object.entries({ ...secret.annotations, ...annotations }).filter(([, v]) => v !== undefined)) as Record<string, string>,
});
const issuing = (status: 'True' | 'False'): { conditions: Condition[] } => ({
  conditions: [
    { type: 'Ready', status: 'True', reason: 'Ready', observedGeneration: 1 },
    { type: 'Issuing', status, reason: 'ManuallyTriggered', message: 'Certificate re-issuance manually triggered' },
  ],
});

interface Row {
  name: string;
  certificate?: () => CMCertificate;
  secret?: () => SecretView | undefined;
  now?: Date;
  /** Expected reason, or undefined for "leave it alone". */
  reason: string | undefined;
  /** Substring the message must contain. */
  message?: string;
  secretUpToDate?: boolean;
}

const rows: Row[] = [
  { name: 'up to date', reason: undefined },
  { name: 'up to date, tls.crt with its chain', secret: () => chained, reason: undefined },
  { name: 'Secret missing', secret: () => undefined, reason: 'DoesNotExist', message: 'Secret does not exist' },
  { name: 'Secret without tls.crt', secret: () => withData({ 'tls.crt': undefined }), reason: 'MissingData', message: 'certificate' },
  { name: 'Secret without tls.key', secret: () => withData({ 'tls.key': undefined }), reason: 'MissingData', message: 'private key' },
  { name: 'tls.crt is not a certificate', secret: () => withData({ 'tls.crt': 'garbage' }), reason: 'InvalidCertificate' },
  { name: 'tls.key is not a key', secret: () => withData({ 'tls.key': 'garbage' }), reason: 'InvalidKeyPair' },
  { name: 'tls.key belongs to another certificate', secret: () => withData({ 'tls.key': other.keyPem }), reason: 'InvalidKeyPair' },
  { name: 'key algorithm changed', certificate: () => certificate({ privateKey: { algorithm: 'RSA', encoding: 'PKCS8' } }), reason: 'SecretMismatch', message: 'spec.privateKey.algorithm' },
  { name: 'key size changed', certificate: () => certificate({ privateKey: { algorithm: 'ECDSA', size: 384, encoding: 'PKCS8' } }), reason: 'SecretMismatch', message: 'spec.privateKey.size' },
  { name: 'key encoding changed', certificate: () => certificate({ privateKey: { algorithm: 'ECDSA', encoding: 'PKCS1' } }), reason: 'SecretMismatch', message: 'spec.privateKey.encoding' },
  { name: 'issued by another issuer', certificate: () => certificate({ issuerRef: { name: 'other-ca', kind: 'Issuer' } }), reason: 'IncorrectIssuer', message: 'Issuer.cert-manager.io/ca' },
  { name: 'issuer kind changed', certificate: () => certificate({ issuerRef: { name: 'ca', kind: 'ClusterIssuer' } }), reason: 'IncorrectIssuer' },
  { name: 'issuer kind and group defaulted', certificate: () => certificate({ issuerRef: { name: 'ca' } }), reason: undefined },
  { name: 'issuer annotations removed', secret: () => withAnnotations({ [ANNOTATIONS.issuerName]: undefined }), reason: 'IncorrectIssuer' },
  { name: 'issued for another Certificate', secret: () => withAnnotations({ [ANNOTATIONS.certificateName]: 'someone-else' }), reason: 'IncorrectCertificate' },
  { name: 'commonName changed', certificate: () => certificate({ commonName: 'db2.example' }), reason: 'SecretMismatch', message: '[spec.commonName]' },
  { name: 'DNS name added', certificate: () => certificate({ dnsNames: [...spec.dnsNames!, 'db-1.db.example'] }), reason: 'SecretMismatch', message: '[spec.dnsNames]' },
  { name: 'DNS names reordered', certificate: () => certificate({ dnsNames: [...spec.dnsNames!].reverse() }), reason: undefined },
  { name: 'IP address changed', certificate: () => certificate({ ipAddresses: ['10.0.0.2', '::1'] }), reason: 'SecretMismatch', message: '[spec.ipAddresses]' },
  { name: 'IPv6 spelled differently', certificate: () => certificate({ ipAddresses: ['10.0.0.1', '0:0:0:0:0:0:0:0001'] }), reason: undefined },
  { name: 'URI changed', certificate: () => certificate({ uris: ['spiffe://cluster.local/ns/demo/sa/other'] }), reason: 'SecretMismatch', message: '[spec.uris]' },
  { name: 'email removed', certificate: () => certificate({ emailAddresses: [] }), reason: 'SecretMismatch', message: '[spec.emailAddresses]' },
  { name: 'organization changed', certificate: () => certificate({ subject: { organizations: ['other'], countries: ['DE'] } }), reason: 'SecretMismatch', message: '[spec.subject.organizations]' },
  { name: 'subject serialNumber added', certificate: () => certificate({ subject: { ...spec.subject, serialNumber: '7' } }), reason: 'SecretMismatch', message: '[spec.subject.serialNumber]' },
  { name: 'duration changed', certificate: () => certificate({ duration: '2160h' }), reason: 'SecretMismatch', message: '[spec.duration]' },
  { name: 'duration spelled differently', certificate: () => certificate({ duration: '720h0m0s' }), reason: undefined },
  { name: 'isCA set', certificate: () => certificate({ isCA: true }), reason: 'SecretMismatch', message: 'spec.isCA' },
  { name: 'usage added', certificate: () => certificate({ usages: [...spec.usages!, 'code signing'] }), reason: 'SecretMismatch', message: '[spec.usages]' },
  { name: 'usages reordered', certificate: () => certificate({ usages: [...spec.usages!].reverse() }), reason: undefined },
  { name: 'several fields changed', certificate: () => certificate({ commonName: 'x.example', duration: '1h' }), reason: 'SecretMismatch', message: '[spec.commonName spec.duration]' },
  { name: 'newer generation, same certificate', certificate: () => certificate({}, { conditions: [{ type: 'Ready', status: 'True', observedGeneration: 1 }] }, 2), reason: undefined },
  { name: 'newer generation, changed certificate', certificate: () => certificate({ dnsNames: ['new.example'] }, { conditions: [{ type: 'Ready', status: 'True', observedGeneration: 1 }] }, 2), reason: 'SecretMismatch' },
  { name: 'Issuing=True (cmctl renew)', certificate: () => certificate({}, issuing('True')), reason: 'ManuallyTriggered', secretUpToDate: true },
  { name: 'Issuing=False', certificate: () => certificate({}, issuing('False')), reason: undefined },
  { name: 'just before renewal time (2/3 of 30 days)', now: new Date(at(20).getTime() - 1000), reason: undefined },
  { name: 'at renewal time', now: at(20), reason: 'Renewing', message: '2026-01-21T00:00:00Z', secretUpToDate: true },
  { name: 'renewBefore honoured', certificate: () => certificate({ renewBefore: '48h' }), now: at(28), reason: 'Renewing', message: '2026-01-29T00:00:00Z' },
  { name: 'renewBefore not yet due', certificate: () => certificate({ renewBefore: '48h' }), now: at(27), reason: undefined },
  { name: 'renewBefore longer than the validity falls back to a third', certificate: () => certificate({ renewBefore: '9000h' }), now: at(20), reason: 'Renewing' },
  { name: 'renewBeforePercentage honoured', certificate: () => certificate({ renewBeforePercentage: 50 }), now: at(15), reason: 'Renewing' },
  { name: 'expired', now: at(31), reason: 'Expired', secretUpToDate: false },
  { name: 'Secret problem wins over Issuing', certificate: () => certificate({}, issuing('True')), secret: () => undefined, reason: 'DoesNotExist', secretUpToDate: false },
];

describe('needsIssuance', () => {
  for (const row of rows) {
    test(row.name, () => {
      const trigger = needsIssuance({
        certificate: row.certificate ? row.certificate() : certificate(),
        secret: row.secret ? row.secret() : secret,
        now: row.now ?? at(1),
      });
      assert.equal(trigger?.reason, row.reason, trigger?.message);
      if (row.message) assert.ok(trigger?.message.includes(row.message), trigger?.message);
      if (row.secretUpToDate !== undefined) assert.equal(trigger?.secretUpToDate, row.secretUpToDate);
    });
  }
});
