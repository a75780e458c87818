// The kinds the provisioner stand-in provisions: the four opsflow serves (model/profiles.ts), and Postgres
// (kubedb.com/v1), which opsflow does not operate on but a Pgpool needs behind it (spec.postgresRef), so
// that its pods have real backends. Postgres is given the same profile shape: a StatefulSet of `postgres`
// containers on 5432 and, as KubeDB's Postgres, primary/standby roles with the `<pg>` Service selecting the
// primary and `<pg>-standby` the standbys. It has no TLS here.
import { profiles, type DatabaseKind, type DatabaseProfile } from '../../model/profiles.ts';

/** A kind the provisioner knows: one of opsflow's, or Postgres. */
export type ProvisionedKind = DatabaseKind | 'Postgres';

const postgres = {
  kind: 'Postgres',
  group: 'kubedb.com',
  version: 'v1',
  plural: 'postgreses',
  // No OpsRequests: opsflow does not operate on Postgres. The field is only read by opsflow.
  opsRequest: { kind: 'PostgresOpsRequest', plural: 'postgresopsrequests', targetField: 'databaseRef' },
  certificates: {},
  certificateComponent: 'database',
  tlsSwitches: [],
  tlsMounts: [],
  container: { name: 'postgres', port: 5432 },
  tlsArgs: [],
  requireSSLArgs: [],
  restartOrder: 'primary-last',
  primaryStandby: true,
  defaultReplicas: () => 1,
};

export const provisioned: Record<ProvisionedKind, DatabaseProfile> = {
  ...profiles,
  // The profile type names opsflow's kinds; Postgres has the same shape (see above).
  Postgres: postgres as unknown as DatabaseProfile,
};

export const provisionedKinds = Object.keys(provisioned) as ProvisionedKind[];
