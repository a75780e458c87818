// The objects a user of KubeDB's guides applies: a CA Issuer (bootstrapped with a self-signed Issuer, the way
// cert-manager's documentation does it), a TLS-enabled MySQL, and OpsRequests.
import { apply, conditionOf, kube, res, waitForObject } from './cluster.ts';

export async function createCAIssuer(namespace: string, name = 'mysql-issuer'): Promise<void> {
  await apply(
    namespace,
    `
apiVersion: cert-manager.io/v1
kind: Issuer
metadata: {name: selfsigned}
spec: {selfSigned: {}}
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: ${name}-ca}
spec:
  isCA: true
  commonName: ${name}-ca
  secretName: ${name}-ca
  privateKey: {algorithm: ECDSA, size: 256}
  issuerRef: {name: selfsigned, kind: Issuer, group: cert-manager.io}
---
apiVersion: cert-manager.io/v1
kind: Issuer
metadata: {name: ${name}}
spec:
  ca: {secretName: ${name}-ca}
`,
  );
}

/** A 3-member group-replication MySQL with TLS, as in KubeDB's guide (replicas defaulted from the topology). */
export async function createTLSMySQL(namespace: string, name = 'my-db', issuer = 'mysql-issuer'): Promise<void> {
  await apply(
    namespace,
    `
apiVersion: kubedb.com/v1
kind: MySQL
metadata: {name: ${name}}
spec:
  version: "8.0.35"
  topology:
    mode: GroupReplication
  storageType: Durable
  storage:
    accessModes: [ReadWriteOnce]
    resources: {requests: {storage: 1Gi}}
  requireSSL: true
  tls:
    issuerRef: {apiGroup: cert-manager.io, kind: Issuer, name: ${issuer}}
    certificates:
    - alias: server
      subject: {organizations: [kubedb:server]}
      dnsNames: [localhost]
      ipAddresses: ["127.0.0.1"]
  deletionPolicy: WipeOut
`,
  );
}

export const waitForDatabaseReady = (namespace: string, name = 'my-db', timeoutMs = 60_000) =>
  waitForObject<any, any>(res.mysql, namespace, name, (db) => (db?.status?.phase === 'Ready' ? db : undefined), timeoutMs);

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
