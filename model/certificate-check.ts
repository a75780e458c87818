// The pre-flight check of a certificate Secret before any pod restarts with it: a bad certificate is the classic
// TLS outage, and it is cheaper to find it while every pod still serves the old one. Pure: the Secret's three
// PEM values in, the list of what is wrong out (empty: good to go).
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { formatDuration } from './duration.ts';
import type { SecretCheck } from './plan.ts';

export interface TLSSecretData {
  'ca.crt'?: string;
  'tls.crt'?: string;
  'tls.key'?: string;
}

const usageOids: Record<string, string> = {
  'server auth': '1.3.6.1.5.5.7.3.1',
  'client auth': '1.3.6.1.5.5.7.3.2',
};
const anyExtendedKeyUsage = '2.5.29.37.0';

const pemBlocks = (pem: string | undefined): string[] =>
  pem?.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];

function parseAll(pem: string | undefined): X509Certificate[] {
  return pemBlocks(pem).map((b) => new X509Certificate(b));
}

const isIP = (name: string) => /^[\d.]+$/.test(name) || name.includes(':');
const covers = (cert: X509Certificate, name: string) => (isIP(name) ? cert.checkIP(name) : cert.checkHost(name)) !== undefined;

/** Follows issuers (CA certificates only) from `leaf` through `intermediates` to one of `roots`; true when it arrives. */
function chainsTo(leaf: X509Certificate, intermediates: X509Certificate[], roots: X509Certificate[]): boolean {
  const issues = (issuer: X509Certificate, cert: X509Certificate) => issuer.ca && cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
  let current = leaf;
  for (let hops = 0; hops <= intermediates.length; hops++) {
    if (roots.some((r) => issues(r, current))) return true;
    const next = intermediates.find((c) => c !== current && issues(c, current));
    if (!next) return false;
    current = next;
  }
  return false;
}

/** Everything wrong with the certificate in `data` for `check`, each as one sentence. */
export function certificateProblems(data: TLSSecretData, check: SecretCheck, now: Date): string[] {
  const [leaf, ...intermediates] = parseAll(data['tls.crt']);
  const roots = parseAll(data['ca.crt']);
  if (!leaf) return ['tls.crt holds no certificate'];
  if (!roots.length) return ['ca.crt holds no CA certificate'];
  const problems: string[] = [];
  if (!chainsTo(leaf, intermediates, roots)) {
    const notCA = roots.filter((r) => !r.ca).length ? '; ca.crt holds a certificate that is not a CA' : '';
    problems.push(`the certificate (issued by ${leaf.issuer.replaceAll('\n', ', ')}) does not chain to the CA in ca.crt (${roots.map((r) => r.subject.replaceAll('\n', ', ')).join('; ')})${notCA}`);
  }
  try {
    if (!leaf.checkPrivateKey(createPrivateKey(data['tls.key'] ?? ''))) problems.push('tls.key is not the private key of the certificate in tls.crt');
  } catch {
    problems.push('tls.key holds no readable private key');
  }
  const from = leaf.validFromDate;
  const to = leaf.validToDate;
  // cert-manager renews at notAfter - renewBefore, or after two thirds of the lifetime when renewBefore is unset.
  const renewal = new Date(check.renewBeforeMs !== undefined ? to.getTime() - check.renewBeforeMs : to.getTime() - (to.getTime() - from.getTime()) / 3);
  for (const ca of [...intermediates, ...roots]) {
    const name = ca.subject.replaceAll('\n', ', ');
    if (now > ca.validToDate) problems.push(`the CA certificate ${name} expired at ${ca.validToDate.toISOString()}`);
    else if (ca.validToDate < renewal) {
      problems.push(`the CA certificate ${name} expires at ${ca.validToDate.toISOString()}, before this certificate is renewed (${renewal.toISOString()}): clients stop trusting it then`);
    }
  }
  if (now < from) problems.push(`the certificate is not valid before ${from.toISOString()}`);
  if (now > to) problems.push(`the certificate expired at ${to.toISOString()}`);
  else if (check.renewBeforeMs !== undefined && to.getTime() - now.getTime() <= check.renewBeforeMs) {
    problems.push(
      `the certificate is valid for ${formatDuration(Math.round((to.getTime() - now.getTime()) / 1000) * 1000)} more, not longer than its renewBefore (${formatDuration(check.renewBeforeMs)}): cert-manager would renew it at once, again and again`,
    );
  }
  // Without the extension a certificate may be used for anything; with it, only for what it lists.
  const eku = leaf.keyUsage;
  for (const usage of eku && !eku.includes(anyExtendedKeyUsage) ? check.usages : []) {
    if (!eku!.includes(usageOids[usage])) problems.push(`the certificate lacks the extended key usage "${usage}"`);
  }
  const uncovered = check.names.filter((n) => !covers(leaf, n));
  if (uncovered.length) {
    problems.push(`the certificate does not cover ${uncovered.join(', ')} (its names: ${leaf.subjectAltName ?? 'none'})`);
  }
  return problems;
}
