// The run's one JSON input, as Temporal Web's Start Workflow form sends it: both forms, and wrong ones refused
// with a message that shows a valid input of each form.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { exampleInputs, parseInput } from '../../workflows/input.ts';

const refused = (input: unknown, pattern: RegExp) =>
  assert.throws(
    () => parseInput(input),
    (err: unknown) => {
      assert.ok(err instanceof ApplicationFailure, String(err));
      assert.equal(err.type, 'InvalidInput');
      assert.equal(err.nonRetryable, true);
      assert.match(err.message, pattern);
      // Whatever was wrong, the message shows a valid input of both forms.
      assert.ok(err.message.includes(JSON.stringify(exampleInputs.reference)) && err.message.includes(JSON.stringify(exampleInputs.whole)), err.message);
      return true;
    },
  );

describe('the workflow input', () => {
  test('a reference to an OpsRequest', () => {
    assert.deepEqual(parseInput({ kind: 'PgpoolOpsRequest', namespace: 'demo', name: 'ppops-rotate' }), { ref: { kind: 'PgpoolOpsRequest', namespace: 'demo', name: 'ppops-rotate' } });
  });

  test('a whole OpsRequest: the reference, and the object to create (metadata kept to name, namespace, labels, annotations)', () => {
    const input = {
      apiVersion: 'ops.kubedb.com/v1alpha1',
      kind: 'MySQLOpsRequest',
      metadata: { namespace: 'demo', name: 'myops-rotate', labels: { team: 'db' }, uid: 'ignored', resourceVersion: '1' },
      spec: { type: 'ReconfigureTLS', databaseRef: { name: 'my-db' }, tls: { rotateCertificates: true } },
      status: { phase: 'Successful' },
    };
    const parsed = parseInput(input);
    assert.deepEqual(parsed.ref, { kind: 'MySQLOpsRequest', namespace: 'demo', name: 'myops-rotate' });
    assert.deepEqual(parsed.whole, {
      apiVersion: 'ops.kubedb.com/v1alpha1',
      kind: 'MySQLOpsRequest',
      metadata: { namespace: 'demo', name: 'myops-rotate', labels: { team: 'db' } },
      spec: input.spec,
    });
  });

  test('the examples the message shows are valid inputs themselves', () => {
    assert.ok(parseInput(exampleInputs.reference).ref);
    assert.ok(parseInput(exampleInputs.whole).whole);
  });

  test('wrong inputs fail at once, saying what is wrong', () => {
    refused(null, /the input must be one JSON object \(got null\)/);
    refused([1], /got an array/);
    refused('MySQLOpsRequest/demo/x', /got string/);
    refused({ kind: 'MySQL', namespace: 'demo', name: 'x' }, /input\.kind must be one of MySQLOpsRequest, PerconaXtraDBOpsRequest, ProxySQLOpsRequest, PgpoolOpsRequest \(got "MySQL"\)/);
    refused({ kind: 'MySQLOpsRequest', name: 'x' }, /input\.namespace is required/);
    refused({ kind: 'MySQLOpsRequest', namespace: 'Demo', name: 'x' }, /input\.namespace "Demo" is not a valid Kubernetes name/);
    refused({ kind: 'MySQLOpsRequest', namespace: 'demo', name: 'x', spec: {} }, /input\.apiVersion must be "ops\.kubedb\.com\/v1alpha1"/);
    refused({ kind: 'MySQLOpsRequest', namespace: 'demo', name: 'x', uid: 'u' }, /a reference has only kind, namespace and name \(got also uid\)/);
    refused({ apiVersion: 'ops.kubedb.com/v1alpha1', kind: 'MySQLOpsRequest', metadata: { name: 'x' }, spec: {} }, /input\.metadata\.namespace is required/);
    refused({ apiVersion: 'ops.kubedb.com/v1alpha1', kind: 'MySQLOpsRequest', metadata: { namespace: 'demo', name: 'x' } }, /input\.spec must be an object/);
    refused({ apiVersion: 'ops.kubedb.com/v1alpha1', kind: 'MySQLOpsRequest', metadata: { namespace: 'demo', name: 'x', labels: { a: 1 } }, spec: {} }, /labels must map names to strings/);
  });
});
