// From a reference to the coordinates of the custom object behind it.
import { profileForOpsKind, profiles } from '../model/profiles.ts';
import type { CustomResource } from '../platform/status.ts';
import type { DatabaseRef, OpsRequestRef } from './refs.ts';

export function databaseResource(ref: DatabaseRef): CustomResource {
  const p = profiles[ref.kind];
  return { group: p.group, version: p.version, plural: p.plural, namespace: ref.namespace, name: ref.name };
}

export function opsRequestResource(ref: OpsRequestRef): CustomResource {
  const p = profileForOpsKind(ref.kind)!;
  return { group: 'ops.kubedb.com', version: 'v1alpha1', plural: p.opsRequest.plural, namespace: ref.namespace, name: ref.name };
}

export const petSetResource = (namespace: string, name: string): CustomResource => ({
  group: 'apps.k8s.appscode.com',
  version: 'v1',
  plural: 'petsets',
  namespace,
  name,
});
