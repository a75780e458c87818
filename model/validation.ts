// Admission of an OpsRequest, as KubeDB's webhook decides it, plus what this version of opsflow can carry out.
// Every rejection names the field and says how to fix it. What depends on the database as it is when the
// request's turn comes (is there TLS to rotate? does the issuer exist?) is the planner's to decide.
import { validateCustomConfiguration, type CustomConfigRequest } from './custom-config.ts';
import { parseDuration } from './duration.ts';
import type { DatabaseProfile } from './profiles.ts';
import { validateProxySQLConfiguration } from './proxysql-config.ts';
import { validateTLS } from './tls-validation.ts';
import type { Database, OpsRequest } from './types.ts';

export type Admission = { ok: true } | { ok: false; field: string; message: string };

const reject = (field: string, message: string): Admission => ({ ok: false, field, message });

/** The target's name, from `spec.databaseRef` (or `spec.proxyRef` for ProxySQL). */
export function targetName(p: DatabaseProfile, ops: OpsRequest): string | undefined {
  return ops.spec?.[p.opsRequest.targetField]?.name || undefined;
}

/** Checks that need only the OpsRequest itself. */
export function validateSpec(p: DatabaseProfile, ops: OpsRequest): Admission {
  const spec = ops.spec;
  const ref = `spec.${p.opsRequest.targetField}`;
  if (!spec) return reject('spec', 'the OpsRequest has no spec');
  if (!targetName(p, ops)) return reject(`${ref}.name`, `${ref}.name is required: name the ${p.kind} to operate on`);
  const supported = ['ReconfigureTLS', 'Reconfigure'];
  if (!supported.includes(spec.type ?? '')) {
    return reject('spec.type', `spec.type "${spec.type ?? ''}" is not supported by opsflow for ${p.kind}; supported: ${supported.join(', ')}`);
  }
  if (spec.timeout !== undefined && (typeof spec.timeout !== 'string' || (parseDuration(spec.timeout) ?? 0) <= 0)) {
    return reject('spec.timeout', `spec.timeout "${spec.timeout}" is not a positive duration; write e.g. 90s, 5m or 1h30m`);
  }
  if (spec.apply !== undefined && spec.apply !== 'IfReady' && spec.apply !== 'Always') {
    return reject('spec.apply', `spec.apply "${spec.apply}" is invalid; use IfReady (default) or Always`);
  }
  if (spec.maxRetries !== undefined && (!Number.isInteger(spec.maxRetries) || spec.maxRetries < 0)) {
    return reject('spec.maxRetries', `spec.maxRetries ${spec.maxRetries} is invalid; use a whole number >= 0`);
  }
  if (spec.type === 'ReconfigureTLS') return validateTLS(p, spec.tls);
  return p.kind === 'ProxySQL' ? validateProxySQLConfiguration(spec.configuration) : validateCustomConfiguration(p, spec.configuration as CustomConfigRequest | undefined);
}

/** Checks against the target database, which must exist. */
export function validateAgainstDatabase(p: DatabaseProfile, ops: OpsRequest, db: Database | undefined): Admission {
  const ref = `spec.${p.opsRequest.targetField}`;
  if (!db) {
    return reject(
      ref,
      `${ref} ${ops.metadata.namespace}/${targetName(p, ops)}, is invalid or not found: no ${p.kind} of that name in namespace ${ops.metadata.namespace}`,
    );
  }
  return { ok: true };
}
