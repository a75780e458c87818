// The one JSON object a run takes, in either of two forms: a reference to an OpsRequest that exists (what the
// watcher and the CLI pass), or a whole OpsRequest, as kubectl would apply it, which the run creates (or
// adopts) itself — what a user pastes into Temporal Web's "Start Workflow" form. Anything else fails the run
// at once with a message that shows both.
import { ApplicationFailure } from '@temporalio/workflow';
import type { OpsRequestRef } from '../activities/refs.ts';
import type { OpsRequestKind } from '../model/profiles.ts';
import type { OpsRequest } from '../model/types.ts';

/** A reference to an OpsRequest that exists. */
export interface OpsRequestRefInput {
  kind: OpsRequestKind;
  namespace: string;
  name: string;
}

/** A whole OpsRequest: the run creates it (or adopts one of that name with the same spec). */
export interface WholeOpsRequestInput {
  apiVersion: 'ops.kubedb.com/v1alpha1';
  kind: OpsRequestKind;
  metadata: { namespace: string; name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: NonNullable<OpsRequest['spec']>;
}

export type OpsRequestInput = OpsRequestRefInput | WholeOpsRequestInput;

export const opsKinds: OpsRequestKind[] = ['MySQLOpsRequest', 'PerconaXtraDBOpsRequest', 'ProxySQLOpsRequest', 'PgpoolOpsRequest'];

export const exampleInputs = {
  reference: { kind: 'MySQLOpsRequest', namespace: 'demo', name: 'myops-rotate' },
  whole: {
    apiVersion: 'ops.kubedb.com/v1alpha1',
    kind: 'MySQLOpsRequest',
    metadata: { namespace: 'demo', name: 'myops-rotate' },
    spec: { type: 'ReconfigureTLS', databaseRef: { name: 'my-db' }, tls: { rotateCertificates: true }, timeout: '5m' },
  },
};

const help =
  'opsRequestWorkflow takes one JSON object: a reference to an OpsRequest that exists, ' +
  `${JSON.stringify(exampleInputs.reference)}, or a whole OpsRequest, which the run creates: ${JSON.stringify(exampleInputs.whole)}`;

// Kubernetes object names: DNS-1123 subdomains (OpsRequests) and labels (namespaces).
const subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const stringMap = (v: unknown) => v === undefined || (isObject(v) && Object.values(v).every((x) => typeof x === 'string'));

export interface ParsedInput {
  ref: OpsRequestRef;
  /** Set for the whole-OpsRequest form: what to create or adopt. */
  whole?: OpsRequest;
}

function fail(problems: string[]): never {
  throw ApplicationFailure.nonRetryable(`${problems.join('; ')}. ${help}`, 'InvalidInput');
}

function checkName(problems: string[], field: string, value: unknown, pattern: RegExp, max: number) {
  if (typeof value !== 'string' || !value) problems.push(`${field} is required`);
  else if (value.length > max || !pattern.test(value)) problems.push(`${field} ${JSON.stringify(value)} is not a valid Kubernetes name`);
}

export function parseInput(input: unknown): ParsedInput {
  if (!isObject(input)) fail([`the input must be one JSON object (got ${input === null ? 'null' : Array.isArray(input) ? 'an array' : typeof input})`]);
  const kind = input.kind as OpsRequestKind;
  const problems: string[] = [];
  if (!opsKinds.includes(kind)) problems.push(`input.kind must be one of ${opsKinds.join(', ')} (got ${JSON.stringify(input.kind)})`);
  const whole = 'metadata' in input || 'spec' in input || 'apiVersion' in input;
  if (!whole) {
    checkName(problems, 'input.namespace', input.namespace, label, 63);
    checkName(problems, 'input.name', input.name, subdomain, 253);
    const extra = Object.keys(input).filter((k) => !['kind', 'namespace', 'name'].includes(k));
    if (extra.length) problems.push(`a reference has only kind, namespace and name (got also ${extra.join(', ')})`);
    if (problems.length) fail(problems);
    return { ref: { kind, namespace: input.namespace as string, name: input.name as string } };
  }
  if (input.apiVersion !== 'ops.kubedb.com/v1alpha1') problems.push(`input.apiVersion must be "ops.kubedb.com/v1alpha1" (got ${JSON.stringify(input.apiVersion)})`);
  const metadata = isObject(input.metadata) ? input.metadata : undefined;
  if (!metadata) problems.push('input.metadata must be an object with namespace and name');
  else {
    checkName(problems, 'input.metadata.namespace', metadata.namespace, label, 63);
    checkName(problems, 'input.metadata.name', metadata.name, subdomain, 253);
    if (!stringMap(metadata.labels)) problems.push('input.metadata.labels must map names to strings');
    if (!stringMap(metadata.annotations)) problems.push('input.metadata.annotations must map names to strings');
  }
  if (!isObject(input.spec)) problems.push('input.spec must be an object (the OpsRequest\'s spec, e.g. {"type":"ReconfigureTLS","databaseRef":{"name":"my-db"},"tls":{"rotateCertificates":true}})');
  if (problems.length) fail(problems);
  const m = metadata!;
  const ref: OpsRequestRef = { kind, namespace: m.namespace as string, name: m.name as string };
  return {
    ref,
    whole: {
      apiVersion: 'ops.kubedb.com/v1alpha1',
      kind,
      metadata: {
        namespace: ref.namespace,
        name: ref.name,
        ...(m.labels ? { labels: m.labels as Record<string, string> } : {}),
        ...(m.annotations ? { annotations: m.annotations as Record<string, string> } : {}),
      },
      spec: input.spec as OpsRequest['spec'],
    },
  };
}
