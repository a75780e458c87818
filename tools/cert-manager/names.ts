// Subject and subjectAltName: how a Certificate spec becomes X.509 names, and how to read them back
// from an issued certificate in the same terms, so the decision can compare like with like.
import { isIPv4, isIPv6 } from 'node:net';
import type { JsonGeneralNames, JsonNameParams, Name } from '@peculiar/x509';
import type { CertificateSpec } from './types.ts';

// Attribute OIDs in the order Go's pkix.Name.ToRDNSequence writes them (cert-manager builds names with it).
const SUBJECT_OIDS = [
  ['countries', '2.5.4.6'],
  ['provinces', '2.5.4.8'],
  ['localities', '2.5.4.7'],
  ['streetAddresses', '2.5.4.9'],
  ['postalCodes', '2.5.4.17'],
  ['organizations', '2.5.4.10'],
  ['organizationalUnits', '2.5.4.11'],
] as const;
const COMMON_NAME = '2.5.4.3';
const SERIAL_NUMBER = '2.5.4.5';

/** The subject fields cert-manager compares, in spec terms. */
export interface SubjectFields {
  commonName: string;
  countries: string[];
  provinces: string[];
  localities: string[];
  streetAddresses: string[];
  postalCodes: string[];
  organizations: string[];
  organizationalUnits: string[];
  serialNumber: string;
}

export function subjectOf(spec: Pick<CertificateSpec, 'commonName' | 'subject'>): SubjectFields {
  const s = spec.subject ?? {};
  return {
    commonName: spec.commonName ?? '',
    countries: s.countries ?? [],
    provinces: s.provinces ?? [],
    localities: s.localities ?? [],
    streetAddresses: s.streetAddresses ?? [],
    postalCodes: s.postalCodes ?? [],
    organizations: s.organizations ?? [],
    organizationalUnits: s.organizationalUnits ?? [],
    serialNumber: s.serialNumber ?? '',
  };
}

/** One RDN per attribute type (several values of a type share it), as Go does. Empty → empty subject. */
export function subjectName(fields: SubjectFields): JsonNameParams {
  const rdns: JsonNameParams = [];
  for (const [field, oid] of SUBJECT_OIDS) if (fields[field].length) rdns.push({ [oid]: [...fields[field]] });
  if (fields.commonName) rdns.push({ [COMMON_NAME]: [fields.commonName] });
  if (fields.serialNumber) rdns.push({ [SERIAL_NUMBER]: [fields.serialNumber] });
  return rdns;
}

export function readSubject(name: Name): SubjectFields {
  const fields = Object.fromEntries(SUBJECT_OIDS.map(([field, oid]) => [field, name.getField(oid)]));
  return {
    ...(fields as Omit<SubjectFields, 'commonName' | 'serialNumber'>),
    commonName: name.getField(COMMON_NAME)[0] ?? '',
    serialNumber: name.getField(SERIAL_NUMBER)[0] ?? '',
  };
}

export const isEmptySubject = (fields: SubjectFields) => subjectName(fields).length === 0;

/** The alternative names cert-manager compares. IPs are canonical (see canonicalIP). */
export interface AltNames {
  dnsNames: string[];
  ipAddresses: string[];
  uris: string[];
  emailAddresses: string[];
}

export const altNamesOf = (spec: Pick<CertificateSpec, 'dnsNames' | 'ipAddresses' | 'uris' | 'emailAddresses'>): AltNames => ({
  dnsNames: spec.dnsNames ?? [],
  ipAddresses: (spec.ipAddresses ?? []).map(canonicalIP),
  uris: spec.uris ?? [],
  emailAddresses: spec.emailAddresses ?? [],
});

// Go writes SANs grouped by type in this order: DNS, email, IP, URI.
export const generalNames = (names: AltNames): JsonGeneralNames => [
  ...names.dnsNames.map((value) => ({ type: 'dns' as const, value })),
  ...names.emailAddresses.map((value) => ({ type: 'email' as const, value })),
  ...names.ipAddresses.map((value) => ({ type: 'ip' as const, value })),
  ...names.uris.map((value) => ({ type: 'url' as const, value })),
];

export function readAltNames(names: JsonGeneralNames): AltNames {
  const of = (type: string) => names.filter((n) => n.type === type).map((n) => n.value);
  return {
    dnsNames: of('dns'),
    ipAddresses: of('ip').map(canonicalIP),
    uris: of('url'),
    emailAddresses: of('email'),
  };
}

/**
 * One spelling per address so that spec and certificate compare equal: IPv4 dotted decimal; IPv6 as
 * eight lower-case hex groups without leading zeros; an IPv4-mapped IPv6 address as its IPv4 (Go stores
 * it as 4 bytes). Anything else is returned as given (issuance then rejects it).
 */
export function canonicalIP(ip: string): string {
  if (isIPv4(ip)) return ip.split('.').map(Number).join('.');
  if (!isIPv6(ip)) return ip;
  let text = ip.toLowerCase();
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  const hex = groups.map((g) => parseInt(g, 16).toString(16));
  if (hex.slice(0, 5).every((g) => g === '0') && hex[5] === 'ffff') {
    const [hi, lo] = [parseInt(hex[6]!, 16), parseInt(hex[7]!, 16)];
    return [hi >> 8, hi & 255, lo >> 8, lo & 255].join('.');
  }
  return hex.join(':');
}
