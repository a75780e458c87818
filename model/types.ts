// The shapes of the objects opsflow reads and writes: KubeDB's OpsRequests and databases, cert-manager's
// Certificates. Only the fields opsflow uses are typed; everything is optional as it is on the wire.

export interface ObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  generation?: number;
  resourceVersion?: string;
  creationTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  observedGeneration?: number;
}

export interface IssuerRef {
  apiGroup?: string;
  kind?: string;
  name: string;
}

export interface CertificateSubject {
  organizations?: string[];
  countries?: string[];
  organizationalUnits?: string[];
  localities?: string[];
  provinces?: string[];
  streetAddresses?: string[];
  postalCodes?: string[];
  serialNumber?: string;
}

/** One entry of `spec.tls.certificates` on a database or an OpsRequest (KubeDB's CertificateSpec). */
export interface TLSCertificateSpec {
  alias: string;
  issuerRef?: IssuerRef;
  secretName?: string;
  subject?: CertificateSubject;
  duration?: string;
  renewBefore?: string;
  dnsNames?: string[];
  ipAddresses?: string[];
  uris?: string[];
  emailAddresses?: string[];
  privateKey?: { encoding?: 'PKCS1' | 'PKCS8' };
}

export interface TLSConfig {
  issuerRef?: IssuerRef;
  certificates?: TLSCertificateSpec[];
}

export interface Database {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec?: {
    version?: string;
    replicas?: number;
    tls?: TLSConfig;
    requireSSL?: boolean;
    sslMode?: string;
    clientAuthMode?: string;
    topology?: { mode?: string };
    [field: string]: unknown;
  };
  status?: { phase?: string; observedGeneration?: number; conditions?: Condition[] };
}

export type OpsPhase = 'Pending' | 'Progressing' | 'Successful' | 'Failed' | 'Skipped';

export interface OpsRequestTLS extends TLSConfig {
  rotateCertificates?: boolean;
  remove?: boolean;
  requireSSL?: boolean;
  sslMode?: string;
  clientAuthMode?: string;
}

export interface OpsRequest {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec?: {
    type?: string;
    databaseRef?: { name?: string };
    proxyRef?: { name?: string };
    timeout?: string;
    apply?: string;
    maxRetries?: number;
    tls?: OpsRequestTLS;
    configuration?: Record<string, unknown>;
  };
  status?: { phase?: OpsPhase; observedGeneration?: number; conditions?: Condition[] };
}

/** cert-manager.io/v1 Certificate, as opsflow creates and reads it. */
export interface Certificate {
  apiVersion: 'cert-manager.io/v1';
  kind: 'Certificate';
  metadata: ObjectMeta;
  spec: {
    secretName: string;
    issuerRef: { group?: string; kind?: string; name: string };
    commonName?: string;
    dnsNames?: string[];
    ipAddresses?: string[];
    uris?: string[];
    emailAddresses?: string[];
    duration?: string;
    renewBefore?: string;
    usages?: string[];
    subject?: CertificateSubject;
    privateKey?: { algorithm?: string; encoding?: 'PKCS1' | 'PKCS8'; size?: number; rotationPolicy?: string };
  };
  status?: {
    conditions?: Condition[];
    revision?: number;
    notBefore?: string;
    notAfter?: string;
    renewalTime?: string;
  };
}
