// What a kind's server needs in its pod besides TLS, as KubeDB's pods have it: its credentials in the
// container's environment, taken from the auth Secret (MYSQL_ROOT_USERNAME / MYSQL_ROOT_PASSWORD for MySQL
// and PerconaXtraDB, POSTGRES_USER / POSTGRES_PASSWORD and PGDATA for Postgres, and for Pgpool the backend
// Postgres's credentials as POSTGRES_USERNAME / POSTGRES_PASSWORD, optional so that a Pgpool whose Postgres
// is not there yet still starts), and ProxySQL's rendered configuration mounted where its image reads it.
import type { V1EnvVar, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import type { DatabaseProfile } from '../../model/profiles.ts';
import type { Database } from '../../model/types.ts';
import { authSecretName } from './auth-secret.ts';
import { proxysqlConfigMountPath, proxysqlConfigSecretName } from './proxysql-config.ts';

export interface ServerNeeds {
  env: V1EnvVar[];
  volumes: V1Volume[];
  mounts: V1VolumeMount[];
}

const fromSecret = (name: string, secret: string, key: string, optional = false): V1EnvVar => ({
  name,
  valueFrom: { secretKeyRef: { name: secret, key, ...(optional ? { optional: true } : {}) } },
});

/** `backendAuth`: the auth Secret of a Pgpool's Postgres (in the Pgpool's namespace). */
export function serverNeeds(p: DatabaseProfile, db: Database, backendAuth?: string): ServerNeeds {
  const auth = authSecretName(db);
  switch (p.kind as string) {
    case 'MySQL':
    case 'PerconaXtraDB':
      return { env: [fromSecret('MYSQL_ROOT_USERNAME', auth, 'username'), fromSecret('MYSQL_ROOT_PASSWORD', auth, 'password')], volumes: [], mounts: [] };
    case 'Postgres':
      return { env: [fromSecret('POSTGRES_USER', auth, 'username'), fromSecret('POSTGRES_PASSWORD', auth, 'password'), { name: 'PGDATA', value: '/var/pv/data' }], volumes: [], mounts: [] };
    case 'Pgpool':
      return backendAuth
        ? { env: [fromSecret('POSTGRES_USERNAME', backendAuth, 'username', true), fromSecret('POSTGRES_PASSWORD', backendAuth, 'password', true)], volumes: [], mounts: [] }
        : { env: [], volumes: [], mounts: [] };
    case 'ProxySQL':
      return {
        env: [],
        volumes: [{ name: 'custom-config', secret: { secretName: proxysqlConfigSecretName(db.metadata.name!) } }],
        mounts: [{ name: 'custom-config', mountPath: proxysqlConfigMountPath }],
      };
    default:
      return { env: [], volumes: [], mounts: [] };
  }
}
