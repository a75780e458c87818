// A wait whose list or watch the API server refuses for good ends at once with the reason, instead of
// re-listing quietly until the step's limit: a resource it does not serve (a CRD not installed), and a watch the
// caller's role does not allow (a ServiceAccount with no role at all, its token from the TokenRequest API).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiRefusal, pods } from '../../platform/kube.ts';
import { waitFor } from '../../platform/watch.ts';
import { createNamespace, deleteNamespace, kube } from '../helpers/cluster.ts';
import { serviceAccountKube } from '../helpers/service-account.ts';

const never = () => undefined;

test('a resource the API server does not serve: refused at once, naming it and asking for its CRD', async () => {
  const started = Date.now();
  const err = await waitFor(kube, { apiVersion: 'example.com/v1', kind: 'Nothing', plural: 'nothings', namespace: 'default' }, {}, never).then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof ApiRefusal, String(err));
  assert.equal(err.code, 404);
  assert.match(err.message, /^watching nothings \(example\.com\/v1\) in namespace default: the API server does not serve it \(is its CRD installed\?\)/);
  assert.ok(Date.now() - started < 5000, `at once (${Date.now() - started} ms)`);
});

test('a watch the role does not allow: refused at once with 403, saying what the role must allow', async (t) => {
  const ns = await createNamespace('refusal');
  t.after(() => deleteNamespace(ns));
  const err = await waitFor(await serviceAccountKube(ns, 'nobody'), pods(ns), {}, never).then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof ApiRefusal, String(err));
  assert.equal(err.code, 403);
  assert.match(err.message, new RegExp(`^watching pods \\(v1\\) in namespace ${ns}: forbidden: the role must allow list and watch on it \\(403: pods is forbidden: User "system:serviceaccount:${ns}:nobody" cannot list resource "pods"`));
});
