// The cert-manager.io/v1 shapes this stand-in reads. model/types.ts types Certificate as opsflow uses it;
// the controller also needs the fields opsflow never sets (isCA, secretTemplate, …) and the issuers.
import type { Certificate, Condition, ObjectMeta } from '../../model/types.ts';

export type CertificateSpec = Certificate['spec'] & {
  isCA?: boolean;
  renewBeforePercentage?: number;
  secretTemplate?: { labels?: Record<string, string>; annotations?: Record<string, string> };
};

export type CMCertificate = Omit<Certificate, 'spec'> & { spec: CertificateSpec };

/** Issuer and ClusterIssuer share a spec; only the two kinds this stand-in signs with are typed. */
export interface Issuer {
  apiVersion?: string;
  kind?: 'Issuer' | 'ClusterIssuer';
  metadata: ObjectMeta;
  spec?: { ca?: { secretName?: string }; selfSigned?: Record<string, unknown>; [other: string]: unknown };
  status?: { conditions?: Condition[] };
}

/** Secret contents decoded from base64, as the pure parts of the controller see them. */
export interface SecretView {
  name: string;
  annotations: Record<string, string>;
  labels: Record<string, string>;
  data: Record<string, string>;
}

export const GROUP = 'cert-manager.io';
export const VERSION = 'v1';
