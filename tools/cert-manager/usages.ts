// cert-manager's usage names (spec.usages) and what each means in X.509: a keyUsage bit or an
// extendedKeyUsage OID. Shared by issuance (what to write) and the decision (what a certificate has).
import type { CertificateSpec } from './types.ts';
import { x509 } from './x509.ts';

const { KeyUsageFlags } = x509;

const KEY_USAGES: Record<string, number> = {
  signing: KeyUsageFlags.digitalSignature,
  'digital signature': KeyUsageFlags.digitalSignature,
  'content commitment': KeyUsageFlags.nonRepudiation,
  'key encipherment': KeyUsageFlags.keyEncipherment,
  'key agreement': KeyUsageFlags.keyAgreement,
  'data encipherment': KeyUsageFlags.dataEncipherment,
  'cert sign': KeyUsageFlags.keyCertSign,
  'crl sign': KeyUsageFlags.cRLSign,
  'encipher only': KeyUsageFlags.encipherOnly,
  'decipher only': KeyUsageFlags.decipherOnly,
};

const EXT_KEY_USAGES: Record<string, string> = {
  any: '2.5.29.37.0',
  'server auth': '1.3.6.1.5.5.7.3.1',
  'client auth': '1.3.6.1.5.5.7.3.2',
  'code signing': '1.3.6.1.5.5.7.3.3',
  'email protection': '1.3.6.1.5.5.7.3.4',
  's/mime': '1.3.6.1.5.5.7.3.4',
  'ipsec end system': '1.3.6.1.5.5.7.3.5',
  'ipsec tunnel': '1.3.6.1.5.5.7.3.6',
  'ipsec user': '1.3.6.1.5.5.7.3.7',
  timestamping: '1.3.6.1.5.5.7.3.8',
  'ocsp signing': '1.3.6.1.5.5.7.3.9',
  'microsoft sgc': '1.3.6.1.4.1.311.10.3.3',
  'netscape sgc': '2.16.840.1.113730.4.1',
};

export const DEFAULT_USAGES = ['digital signature', 'key encipherment'];

export interface X509Usages {
  /** keyUsage bits (KeyUsageFlags); 0 means no keyUsage extension. */
  keyUsage: number;
  /** extendedKeyUsage OIDs, sorted and without duplicates. */
  extKeyUsages: string[];
}

/** What spec.usages (and isCA, which always adds cert sign, as cert-manager does) ask of the certificate. */
export function usagesFor(spec: Pick<CertificateSpec, 'usages' | 'isCA'>): X509Usages {
  let keyUsage = 0;
  const ext = new Set<string>();
  for (const usage of spec.usages?.length ? spec.usages : DEFAULT_USAGES) {
    if (usage in KEY_USAGES) keyUsage |= KEY_USAGES[usage]!;
    else if (usage in EXT_KEY_USAGES) ext.add(EXT_KEY_USAGES[usage]!);
    else throw new Error(`unknown usage ${JSON.stringify(usage)}`);
  }
  if (spec.isCA) keyUsage |= KeyUsageFlags.keyCertSign;
  return { keyUsage, extKeyUsages: [...ext].sort() };
}
