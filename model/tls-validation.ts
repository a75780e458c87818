// Admission of `spec.tls` of a ReconfigureTLS request, as KubeDB's webhook decides it per kind, plus what would
// only fail later inside cert-manager or the server (names that are not DNS names, durations that do not parse,
// a renewBefore not shorter than the duration): refused now, naming the field, before anything is touched.
import { isIP } from 'node:net';
import { parseDuration } from './duration.ts';
import type { DatabaseProfile, TLSSwitch } from './profiles.ts';
import { asksForUpdate } from './tls-request.ts';
import type { IssuerRef, OpsRequestTLS, TLSCertificateSpec } from './types.ts';
import type { Admission as Verdict } from './validation.ts';

const ok: Verdict = { ok: true };
const reject = (field: string, message: string): Verdict => ({ ok: false, field, message });
const first = (...verdicts: (() => Verdict)[]): Verdict => {
  for (const v of verdicts) {
    const r = v();
    if (!r.ok) return r;
  }
  return ok;
};

const switchValues: Record<TLSSwitch, readonly unknown[]> = {
  requireSSL: [true, false],
  sslMode: ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'],
  clientAuthMode: ['md5', 'scram', 'cert'],
};

const dnsLabel = '[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?';
const dnsName = new RegExp(`^(?:\\*\\.)?(?:${dnsLabel}\\.)*${dnsLabel}$`, 'i');
const objectName = new RegExp(`^(?:${dnsLabel}\\.)*${dnsLabel}$`);
export const isDNSName = (name: string) => name.length <= 253 && dnsName.test(name);
/** A Kubernetes object name (RFC 1123 subdomain): lower case, digits, '-' and '.'. */
const isObjectName = (name: string) => name.length <= 253 && objectName.test(name);
// X.509 (and Go's encoder, which cert-manager uses) takes ASCII addresses only.
const isEmail = (s: string) => /^[\x21-\x7e]+@[\x21-\x7e]+$/.test(s) && s.split('@').length === 2 && isDNSName(s.split('@')[1]!);
// A zone (fe80::1%eth0) is not part of an address a certificate can carry.
const isIPAddress = (s: string) => isIP(s) !== 0 && !s.includes('%');
const isURI = (s: string) => {
  try {
    return /^[a-z][a-z0-9+.-]*:/i.test(s) && Boolean(new URL(s));
  } catch {
    return false;
  }
};

function checkIssuerRef(field: string, ref: IssuerRef | undefined): Verdict {
  if (ref === undefined) return ok;
  if (typeof ref !== 'object' || ref === null) return reject(field, `${field} must be an object {name, kind, apiGroup}`);
  if (!ref.name || typeof ref.name !== 'string') return reject(`${field}.name`, `${field}.name is required: the cert-manager Issuer or ClusterIssuer to issue from`);
  if (ref.kind !== undefined && ref.kind !== 'Issuer' && ref.kind !== 'ClusterIssuer') {
    return reject(`${field}.kind`, `${field}.kind "${ref.kind}" is not a cert-manager issuer kind; use Issuer or ClusterIssuer`);
  }
  if (ref.apiGroup !== undefined && ref.apiGroup !== 'cert-manager.io') {
    return reject(`${field}.apiGroup`, `${field}.apiGroup "${ref.apiGroup}" is not supported; opsflow issues through cert-manager: use cert-manager.io`);
  }
  return ok;
}

function checkList(field: string, values: unknown, valid: (v: string) => boolean, what: string): Verdict {
  if (values === undefined) return ok;
  if (!Array.isArray(values)) return reject(field, `${field} must be a list of ${what}`);
  const bad = values.findIndex((v) => typeof v !== 'string' || !valid(v));
  return bad < 0 ? ok : reject(`${field}[${bad}]`, `${field}[${bad}] ${JSON.stringify(values[bad])} is not ${what}`);
}

function checkDuration(field: string, value: unknown): Verdict {
  if (value === undefined) return ok;
  const ms = typeof value === 'string' ? parseDuration(value) : undefined;
  return ms !== undefined && ms > 0 ? ok : reject(field, `${field} ${JSON.stringify(value)} is not a positive duration; write e.g. 2160h, 720h or 90m`);
}

function checkCertificate(p: DatabaseProfile, i: number, c: TLSCertificateSpec, seen: Set<string>): Verdict {
  const f = `spec.tls.certificates[${i}]`;
  const aliases = Object.keys(p.certificates);
  if (!c || typeof c !== 'object') return reject(f, `${f} must be an object with an alias`);
  if (!c.alias) return reject(`${f}.alias`, `${f}.alias is required: one of ${aliases.join(', ')}`);
  if (!aliases.includes(c.alias)) return reject(`${f}.alias`, `${f}.alias "${c.alias}" is not a certificate of ${p.kind}; use one of ${aliases.join(', ')}`);
  if (seen.has(c.alias)) return reject(`${f}.alias`, `${f}.alias "${c.alias}" is listed twice; give each alias once`);
  seen.add(c.alias);
  return first(
    () => checkIssuerRef(`${f}.issuerRef`, c.issuerRef),
    () => (c.secretName === undefined || (typeof c.secretName === 'string' && (c.secretName === '' || isObjectName(c.secretName)))
      ? ok
      : reject(`${f}.secretName`, `${f}.secretName ${JSON.stringify(c.secretName)} is not a valid Secret name (lower-case letters, digits, '-' and '.')`)),
    () => checkList(`${f}.dnsNames`, c.dnsNames, isDNSName, 'a DNS name'),
    () => checkList(`${f}.ipAddresses`, c.ipAddresses, isIPAddress, 'an IP address'),
    () => checkList(`${f}.emailAddresses`, c.emailAddresses, isEmail, 'an email address'),
    () => checkList(`${f}.uris`, c.uris, isURI, 'a URI'),
    () => checkDuration(`${f}.duration`, c.duration),
    () => checkDuration(`${f}.renewBefore`, c.renewBefore),
    () => {
      const duration = c.duration ? parseDuration(c.duration)! : undefined;
      const renewBefore = c.renewBefore ? parseDuration(c.renewBefore)! : undefined;
      return duration !== undefined && renewBefore !== undefined && renewBefore >= duration
        ? reject(`${f}.renewBefore`, `${f}.renewBefore (${c.renewBefore}) must be shorter than its duration (${c.duration}), or the certificate is renewed again and again`)
        : ok;
    },
    () => (c.privateKey?.encoding === undefined || ['PKCS1', 'PKCS8'].includes(c.privateKey.encoding)
      ? ok
      : reject(`${f}.privateKey.encoding`, `${f}.privateKey.encoding "${c.privateKey.encoding}" is invalid; use PKCS1 or PKCS8`)),
  );
}

/** `spec.tls` of a ReconfigureTLS request for a database of kind `p`. */
export function validateTLS(p: DatabaseProfile, tls: OpsRequestTLS | undefined): Verdict {
  if (!tls || typeof tls !== 'object') return reject('spec.tls', 'spec.tls is required when spec.type is ReconfigureTLS');
  for (const s of ['requireSSL', 'sslMode', 'clientAuthMode'] as const) {
    if (tls[s] === undefined) continue;
    if (!p.tlsSwitches.includes(s)) {
      const has = p.tlsSwitches.length ? `; ${p.kind} has ${p.tlsSwitches.map((x) => `spec.tls.${x}`).join(' and ')}` : '';
      return reject(`spec.tls.${s}`, `spec.tls.${s} is not a setting of ${p.kind}${has}`);
    }
    if (!switchValues[s].includes(tls[s])) {
      return reject(`spec.tls.${s}`, `spec.tls.${s} ${JSON.stringify(tls[s])} is invalid; use one of ${switchValues[s].join(', ')}`);
    }
  }
  if (tls.certificates !== undefined && !Array.isArray(tls.certificates)) return reject('spec.tls.certificates', 'spec.tls.certificates must be a list of {alias, …}');
  const seen = new Set<string>();
  const fields = first(
    () => checkIssuerRef('spec.tls.issuerRef', tls.issuerRef),
    ...(tls.certificates ?? []).map((c, i) => () => checkCertificate(p, i, c, seen)),
  );
  if (!fields.ok) return fields;

  const update = asksForUpdate(p, tls);
  if (tls.remove && tls.rotateCertificates) {
    return reject('spec.tls', 'spec.tls.remove and spec.tls.rotateCertificates cannot be set together; use two OpsRequests');
  }
  if (tls.remove && update) {
    return reject('spec.tls', 'spec.tls.remove cannot be combined with issuerRef, certificates or other TLS settings; remove TLS with {remove: true} alone');
  }
  const exclusive = p.kind === 'PerconaXtraDB' || p.kind === 'ProxySQL';
  if (exclusive && tls.rotateCertificates && update) {
    return reject('spec.tls', `for ${p.kind}, spec.tls.rotateCertificates cannot be combined with an update (issuerRef / certificates${p.kind === 'PerconaXtraDB' ? ' / requireSSL' : ''}); use two OpsRequests`);
  }
  if (!tls.remove && !tls.rotateCertificates && !update) {
    const updates = ['issuerRef', 'certificates', ...p.tlsSwitches].join(', ');
    return reject('spec.tls', `spec.tls asks for nothing: set remove, rotateCertificates, or an update (${updates})`);
  }
  return ok;
}
