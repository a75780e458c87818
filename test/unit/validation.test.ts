import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { profiles, type DatabaseKind } from '../../model/profiles.ts';
import type { Database, OpsRequest } from '../../model/types.ts';
import { validateAgainstDatabase, validateSpec, type Admission } from '../../model/validation.ts';

type Spec = NonNullable<OpsRequest['spec']>;
const rotate: Spec = { type: 'ReconfigureTLS', databaseRef: { name: 'my-db' }, tls: { rotateCertificates: true } };
const ops = (spec: Spec | undefined): OpsRequest => ({ metadata: { name: 'rotate', namespace: 'demo' }, spec });
const issuer = { apiGroup: 'cert-manager.io', kind: 'Issuer', name: 'ca' };

/** Asserts a rejection on `field` whose message contains every one of `words`. */
function assertRejected(got: Admission, field: string, words: string[]) {
  assert.equal(got.ok, false, `expected a rejection, got ${JSON.stringify(got)}`);
  if (got.ok) return;
  assert.equal(got.field, field);
  for (const w of words) assert.ok(got.message.includes(w), `message ${JSON.stringify(got.message)} lacks ${JSON.stringify(w)}`);
}

describe('validateSpec rejects', () => {
  const cases: [string, DatabaseKind, Spec | undefined, string, string[]][] = [
    ['missing spec', 'MySQL', undefined, 'spec', ['no spec']],
    ['missing databaseRef.name', 'MySQL', { ...rotate, databaseRef: {} }, 'spec.databaseRef.name', ['spec.databaseRef.name', 'required']],
    ['ProxySQL without proxyRef.name', 'ProxySQL', { ...rotate, databaseRef: undefined }, 'spec.proxyRef.name', ['spec.proxyRef.name', 'required', 'ProxySQL']],
    ['type Restart', 'MySQL', { ...rotate, type: 'Restart' }, 'spec.type', ['spec.type', '"Restart"', 'ReconfigureTLS']],
    ['Reconfigure without configuration', 'Pgpool', { ...rotate, type: 'Reconfigure' }, 'spec.configuration', ['spec.configuration', 'required', 'configSecret']],
    ['timeout "5 minutes"', 'MySQL', { ...rotate, timeout: '5 minutes' }, 'spec.timeout', ['spec.timeout', '"5 minutes"', 'duration']],
    ['timeout "0s"', 'MySQL', { ...rotate, timeout: '0s' }, 'spec.timeout', ['"0s"', 'positive']],
    ['apply "Sometimes"', 'MySQL', { ...rotate, apply: 'Sometimes' }, 'spec.apply', ['"Sometimes"', 'IfReady', 'Always']],
    ['maxRetries -1', 'MySQL', { ...rotate, maxRetries: -1 }, 'spec.maxRetries', ['-1', '>= 0']],
    ['maxRetries 1.5', 'MySQL', { ...rotate, maxRetries: 1.5 }, 'spec.maxRetries', ['1.5', 'whole number']],
    ['missing tls', 'MySQL', { ...rotate, tls: undefined }, 'spec.tls', ['spec.tls', 'required', 'ReconfigureTLS']],
    ['remove with rotateCertificates', 'MySQL', { ...rotate, tls: { remove: true, rotateCertificates: true } }, 'spec.tls', ['remove', 'rotateCertificates', 'together']],
    ['PerconaXtraDB: nothing asked', 'PerconaXtraDB', { ...rotate, tls: {} }, 'spec.tls', ['asks for nothing', 'requireSSL']],
    ['PerconaXtraDB: rotate and update', 'PerconaXtraDB', { ...rotate, tls: { rotateCertificates: true, issuerRef: issuer } }, 'spec.tls', ['PerconaXtraDB', 'rotateCertificates cannot be combined']],
    ['ProxySQL: remove and update', 'ProxySQL', { type: 'ReconfigureTLS', proxyRef: { name: 'p' }, tls: { remove: true, certificates: [{ alias: 'server' }] } }, 'spec.tls', ['remove cannot be combined']],
  ];
  for (const [name, kind, spec, field, words] of cases) {
    test(name, () => assertRejected(validateSpec(profiles[kind], ops(spec)), field, words));
  }
});

describe('validateSpec accepts rotate-only', () => {
  const cases: [string, DatabaseKind, Spec][] = [
    ['MySQL', 'MySQL', rotate],
    ['MySQL with timeout, apply, maxRetries 0', 'MySQL', { ...rotate, timeout: '1h30m', apply: 'Always', maxRetries: 0 }],
    ['PerconaXtraDB', 'PerconaXtraDB', rotate],
    ['ProxySQL', 'ProxySQL', { type: 'ReconfigureTLS', proxyRef: { name: 'p' }, tls: { rotateCertificates: true } }],
    ['Pgpool', 'Pgpool', { ...rotate, apply: 'IfReady' }],
  ];
  for (const [name, kind, spec] of cases) test(name, () => assert.deepEqual(validateSpec(profiles[kind], ops(spec)), { ok: true }));
});

describe('validateAgainstDatabase', () => {
  const db = (tls?: Database['spec']): Database => ({ metadata: { name: 'my-db', namespace: 'demo' }, spec: tls });

  test('database not found', () => {
    assertRejected(validateAgainstDatabase(profiles.MySQL, ops(rotate), undefined), 'spec.databaseRef', ['spec.databaseRef demo/my-db', 'not found']);
  });
  test('ProxySQL not found names spec.proxyRef', () => {
    const o = ops({ type: 'ReconfigureTLS', proxyRef: { name: 'proxy' }, tls: { rotateCertificates: true } });
    assertRejected(validateAgainstDatabase(profiles.ProxySQL, o, undefined), 'spec.proxyRef', ['spec.proxyRef demo/proxy', 'not found']);
  });
  test('a database that exists', () => {
    assert.deepEqual(validateAgainstDatabase(profiles.MySQL, ops(rotate), db({ tls: { issuerRef: issuer } })), { ok: true });
  });
  test('rotating a database without TLS is left to the planner', () => {
    assert.deepEqual(validateAgainstDatabase(profiles.MySQL, ops(rotate), db({})), { ok: true });
  });
});
