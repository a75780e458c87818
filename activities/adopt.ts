// A whole OpsRequest given to a run (Temporal Web's Start Workflow form): the run creates the object, so kubectl
// and the watcher see it, already claimed by the run, so the watcher starts no second one. An OpsRequest of that
// name that exists is adopted when its spec is the one given (as the API server stores it, defaults applied);
// another spec under the same name fails the run, saying which fields differ.
import { ApplicationFailure } from '@temporalio/common';
import { describeChange, fieldChanges } from '../model/object-diff.ts';
import { profileForOpsKind } from '../model/profiles.ts';
import type { OpsRequest } from '../model/types.ts';
import { apiMessage, isConflict, statusCode, type Kube } from '../platform/kube.ts';
import { readCustom } from '../platform/status.ts';
import { kubeCall } from './failures.ts';
import { claimAnnotation } from './ops-request.ts';
import { opsRequestResource } from './resources.ts';

export interface Adoption {
  /** `created`: the run made it; `adopted`: one with this spec existed. */
  action: 'created' | 'adopted';
  uid: string;
}

/** The spec as the API server would store it (CRD defaults applied), from a dry-run create under a generated name. */
export async function storedSpec(kube: Kube, ops: OpsRequest): Promise<OpsRequest['spec']> {
  const p = profileForOpsKind(ops.kind!)!;
  const { name: _name, resourceVersion: _rv, uid: _uid, ...metadata } = ops.metadata;
  const dry = (await kube.custom.createNamespacedCustomObject({
    group: 'ops.kubedb.com',
    version: 'v1alpha1',
    plural: p.opsRequest.plural,
    namespace: ops.metadata.namespace!,
    body: { ...ops, metadata: { ...metadata, generateName: `${ops.metadata.name!.slice(0, 50)}-` } },
    dryRun: 'All',
  })) as OpsRequest;
  return dry.spec;
}

/** How an OpsRequest's stored spec differs from the one given (as it would be stored): `existing → given` lines. */
export async function specDifferences(kube: Kube, existing: OpsRequest, given: OpsRequest): Promise<string[]> {
  return fieldChanges(existing.spec, await storedSpec(kube, given), 'spec').map(describeChange);
}

export function adoptActivities(kube: Kube) {
  const describe = (ops: OpsRequest) => `${ops.kind} ${ops.metadata.namespace}/${ops.metadata.name}`;

  return {
    async adoptOpsRequest(ops: OpsRequest, workflowId: string): Promise<Adoption> {
      const p = profileForOpsKind(ops.kind!);
      if (!p) throw ApplicationFailure.nonRetryable(`unknown OpsRequest kind "${ops.kind}"`, 'InvalidInput');
      const ref = { kind: p.opsRequest.kind, namespace: ops.metadata.namespace!, name: ops.metadata.name! };
      const body: OpsRequest = { ...ops, metadata: { ...ops.metadata, annotations: { ...ops.metadata.annotations, [claimAnnotation]: workflowId } } };
      try {
        const created = (await kube.custom.createNamespacedCustomObject({ group: 'ops.kubedb.com', version: 'v1alpha1', plural: p.opsRequest.plural, namespace: ref.namespace, body })) as OpsRequest;
        return { action: 'created', uid: created.metadata.uid! };
      } catch (err) {
        if (!isConflict(err)) {
          // The API server refused the object itself (its schema, a missing namespace): the input is wrong.
          const code = statusCode(err);
          if (code === 400 || code === 403 || code === 404 || code === 422) {
            throw ApplicationFailure.nonRetryable(`the API server refused to create ${describe(ops)}: ${apiMessage(err)}`, 'InvalidOpsRequest');
          }
          throw err;
        }
      }
      const existing = await kubeCall(`reading ${describe(ops)}`, () => readCustom<OpsRequest>(kube, opsRequestResource(ref)));
      const differences = await kubeCall(`checking the spec of ${describe(ops)}`, () => specDifferences(kube, existing, ops));
      if (differences.length) {
        throw ApplicationFailure.nonRetryable(
          `${describe(ops)} already exists with another spec (existing → given: ${differences.join('; ')}); an OpsRequest's spec cannot change: delete it first, or give this one another name`,
          'OpsRequestExists',
        );
      }
      // Same name, same spec: this run carries it out, unless another run has claimed it (admission then says which).
      return { action: 'adopted', uid: existing.metadata.uid! };
    },
  };
}
