// The auth Secret KubeDB's provisioner makes for a database when there is none: `spec.authSecret.name`, or by
// default `<db>-auth`, of type kubernetes.io/basic-auth with `username` (root for MySQL and PerconaXtraDB,
// cluster for ProxySQL — the admin-interface user that may connect from other hosts —, postgres for
// Postgres) and a random `password`. It is created once and never rewritten: the server's user was given
// that password when its data directory was initialised. A Pgpool has none of its own here; its pods log in
// to the backend with the Postgres's.
import { randomBytes } from 'node:crypto';
import type { V1Secret } from '@kubernetes/client-node';
import type { DatabaseProfile } from '../../model/profiles.ts';
import type { Database } from '../../model/types.ts';
import { ownerReference } from './workload.ts';

const usernames: Record<string, string> = { MySQL: 'root', PerconaXtraDB: 'root', ProxySQL: 'cluster', Postgres: 'postgres' };

export const authSecretName = (db: Database): string =>
  ((db.spec?.authSecret as { name?: string } | undefined)?.name) || `${db.metadata.name}-auth`;

/** Whether the kind has an auth Secret of its own. */
export const hasAuthSecret = (p: DatabaseProfile) => p.kind in usernames;

/** A password of letters and digits only: it goes into SQL, config files and URLs unquoted. */
export const randomPassword = () => randomBytes(24).toString('base64').replace(/[^A-Za-z0-9]/g, '').slice(0, 16);

export function desiredAuthSecret(p: DatabaseProfile, db: Database): V1Secret | undefined {
  if (!hasAuthSecret(p)) return undefined;
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: authSecretName(db),
      namespace: db.metadata.namespace,
      labels: { 'app.kubernetes.io/instance': db.metadata.name!, 'app.kubernetes.io/managed-by': 'kubedb.com', 'app.kubernetes.io/name': `${p.plural}.${p.group}` },
      ownerReferences: [{ ...ownerReference(p, db), controller: false }],
    },
    type: 'kubernetes.io/basic-auth',
    stringData: { username: usernames[p.kind], password: randomPassword() },
  };
}
