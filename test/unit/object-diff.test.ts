import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { describeChange, fieldChanges } from '../../model/object-diff.ts';
import { certificateDiff, specDiff, templateDiff, textDiff } from '../../model/plan-diff.ts';
import type { Certificate, Database } from '../../model/types.ts';

describe('fieldChanges', () => {
  test('nothing for equal values, whatever the key order', () => {
    assert.deepEqual(fieldChanges({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 }), []);
  });
  test('leaves added, removed and changed, by dotted path', () => {
    const changes = fieldChanges({ spec: { a: 1, b: 'x', gone: true } }, { spec: { a: 2, b: 'x', added: { deep: 'y' } } });
    assert.deepEqual(changes.map(describeChange), ['~ spec.a: 1 → 2', '+ spec.added.deep: y', '- spec.gone: true']);
  });
  test('lists of names as sets of items added and removed', () => {
    assert.deepEqual(fieldChanges({ dnsNames: ['a', 'b'] }, { dnsNames: ['b', 'c'] }).map(describeChange), ['- dnsNames: a', '+ dnsNames: c']);
  });
  test('lists of objects by position', () => {
    assert.deepEqual(fieldChanges([{ alias: 'server', x: 1 }], [{ alias: 'server', x: 2 }]).map(describeChange), ['~ [0].x: 1 → 2']);
  });
});

describe('the dry run\'s diffs', () => {
  const cert = (spec: Partial<Certificate['spec']>): Certificate => ({ apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: 'db-server-cert' }, spec: { secretName: 'db-server-cert', issuerRef: { name: 'a', kind: 'Issuer' }, ...spec } });

  test('a Certificate that changes: only the fields that change', () => {
    const d = certificateDiff({ action: 'update', name: 'db-server-cert', spec: cert({ issuerRef: { name: 'b', kind: 'Issuer' }, dnsNames: ['x', 'y'] }).spec }, [cert({ dnsNames: ['x'] })]);
    assert.deepEqual(d, { name: 'db-server-cert', action: 'update', fields: ['+ spec.dnsNames: y', '~ spec.issuerRef.name: a → b'] });
  });
  test('a new Certificate: every field it gets; a deleted one: with its Secret', () => {
    const d = certificateDiff({ action: 'create', certificate: cert({ commonName: 'db' }) }, []);
    assert.deepEqual(d.fields, ['+ spec.commonName: db', '+ spec.issuerRef.kind: Issuer', '+ spec.issuerRef.name: a', '+ spec.secretName: db-server-cert']);
    assert.deepEqual(certificateDiff({ action: 'delete', name: 'c', secretName: 's' }, []).fields, ['- Certificate c and its Secret s']);
  });
  test('a pod template: volumes, mounts and arguments added and removed', () => {
    const before = { spec: { containers: [{ name: 'mysql', args: ['--a'] }] } };
    const after = {
      spec: {
        volumes: [{ name: 'tls', projected: { sources: [{ secret: { name: 's', items: [{ key: 'tls.crt', path: 'server.crt' }] } }] } }],
        containers: [{ name: 'mysql', args: ['--ssl-ca=/x'], volumeMounts: [{ name: 'tls', mountPath: '/etc/mysql/certs', readOnly: true }] }],
      },
    };
    assert.deepEqual(templateDiff(before, after), [
      '+ volume tls: projected from Secret s (tls.crt as server.crt)',
      '+ container mysql: mount tls at /etc/mysql/certs (read-only)',
      '- container mysql: argument --a',
      '+ container mysql: argument --ssl-ca=/x',
    ]);
    assert.deepEqual(templateDiff(after, before)[0], '- volume tls: projected from Secret s (tls.crt as server.crt)');
  });
  test('a configuration file: lines that go and come', () => {
    assert.deepEqual(textDiff("a\nssl = 'off'\nb\n", "a\nssl = on\nssl_cert = '/x'\nb\n"), ["- ssl = 'off'", '+ ssl = on', "+ ssl_cert = '/x'"]);
  });
  test('the database spec: a field set, one removed', () => {
    const db: Database = { metadata: { name: 'db' }, spec: { requireSSL: true, tls: { issuerRef: { name: 'a' } } } };
    assert.deepEqual(specDiff(db, { requireSSL: null, tls: { issuerRef: { name: 'b' } } }), ['- spec.requireSSL: true', '~ spec.tls.issuerRef.name: a → b']);
  });
});
