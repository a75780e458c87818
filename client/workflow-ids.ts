// Deterministic workflow IDs: the same OpsRequest (namespace, name, UID) always maps to the same ID, so a
// resync, a watcher restart or a duplicate event can never start a second run.
import type { DatabaseRef, OpsRequestRef } from '../activities/refs.ts';

export const opsRequestWorkflowId = (ref: OpsRequestRef, uid: string) => `${ref.kind}/${ref.namespace}/${ref.name}/${uid}`;

export const certificatesWorkflowId = (db: DatabaseRef, uid: string, generation: number) =>
  `Certificates/${db.kind}/${db.namespace}/${db.name}/${uid}/${generation}`;
