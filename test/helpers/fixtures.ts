// The objects a user applies, from deploy/examples/mysql-tls/ (the same files the demo applies): a CA Issuer
// bootstrapped with a self-signed Issuer, and a TLS-enabled 3-member MySQL. OpsRequests are written per test.
import { readFile } from 'node:fs/promises';
import { mergePatch } from '../../platform/kube.ts';
import { apply, conditionOf, kube, res, waitForObject } from './cluster.ts';

const example = (file: string) => readFile(new URL(`../../deploy/examples/mysql-tls/${file}`, import.meta.url), 'utf8');

/** The Issuer `mysql-issuer`, signing with the CA in Secret `mysql-ca`. */
export const issuerName = 'mysql-issuer';
export const caSecretName = 'mysql-ca';

export async function createCAIssuer(namespace: string): Promise<void> {
  await apply(namespace, await example('1-issuer.yaml'));
}

/** Points the Issuer at a CA Secret that does not exist, so issuance waits until `releaseIssuance`. */
export const holdIssuance = (namespace: string) => setIssuerCA(namespace, 'held-back');
export const releaseIssuance = (namespace: string) => setIssuerCA(namespace, caSecretName);

const setIssuerCA = (namespace: string, secretName: string) =>
  kube.custom.patchNamespacedCustomObject(
    { group: 'cert-manager.io', version: 'v1', plural: 'issuers', namespace, name: issuerName, body: { spec: { ca: { secretName } } } },
    mergePatch,
  );

/** MySQL `my-db`: group replication (3 replicas by KubeDB's default), TLS through `mysql-issuer`, requireSSL. */
export async function createTLSMySQL(namespace: string): Promise<void> {
  await apply(namespace, await example('2-mysql.yaml'));
}

export const waitForDatabaseReady = (namespace: string, name = 'my-db', timeoutMs = 60_000) =>
  waitForObject<any, any>(res.mysql, namespace, name, (db) => (db?.status?.phase === 'Ready' ? db : undefined), timeoutMs);

/** The Certificates opsflow keeps for `my-db` (one per alias of a MySQL). */
export const databaseCertificates = ['my-db-server-cert', 'my-db-client-cert', 'my-db-metrics-exporter-cert'];

/**
 * Resolves once each Certificate is issued (Ready, a revision, no issuance in flight). A Ready database does not
 * imply it: its pods need only some of the Secrets, and cert-manager writes a Secret before the Certificate's status.
 */
export async function waitForCertificatesIssued(namespace: string, names = databaseCertificates, timeoutMs = 60_000): Promise<void> {
  const issued = (c: any) => conditionOf(c, 'Ready')?.status === 'True' && c.status?.revision >= 1 && conditionOf(c, 'Issuing')?.status !== 'True';
  await Promise.all(names.map((name) => waitForObject<any, true>(res.certificate, namespace, name, (c) => (issued(c) ? true : undefined), timeoutMs)));
}

export async function applyRotate(namespace: string, name: string, database = 'my-db', extra = ''): Promise<void> {
  await apply(
    namespace,
    `
apiVersion: ops.kubedb.com/v1alpha1
kind: MySQLOpsRequest
metadata: {name: ${name}}
spec:
  type: ReconfigureTLS
  databaseRef: {name: ${database}}
  tls:
    rotateCertificates: true
${extra}`,
  );
}

export const isPaused = (db: any) => conditionOf(db, 'Paused')?.status === 'True';

export async function listPods(namespace: string) {
  return (await kube.core.listNamespacedPod({ namespace })).items;
}
