// What the provisioner stand-in gives each kind's server besides TLS: the auth Secret KubeDB makes when there
// is none (name, type, user per kind), the credentials in the container's environment (Pgpool: the backend
// Postgres's), ProxySQL's configuration mounted where its image reads it, and the Postgres kind.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { profiles } from '../../model/profiles.ts';
import type { Database } from '../../model/types.ts';
import { authSecretName, desiredAuthSecret } from '../../tools/kubedb-provisioner/auth-secret.ts';
import { provisioned } from '../../tools/kubedb-provisioner/kinds.ts';
import { serverNeeds } from '../../tools/kubedb-provisioner/server-needs.ts';
import { desiredServices, desiredStatefulSet } from '../../tools/kubedb-provisioner/workload.ts';

const db = (spec: Database['spec'] = {}): Database => ({ metadata: { name: 'd', namespace: 'ns', uid: 'u' }, spec });

describe('auth Secrets', () => {
  test('<db>-auth, or spec.authSecret.name; basic-auth; the user of each kind; a random password', () => {
    assert.equal(authSecretName(db()), 'd-auth');
    assert.equal(authSecretName(db({ authSecret: { name: 'mine' } })), 'mine');
    for (const [kind, user] of [['MySQL', 'root'], ['PerconaXtraDB', 'root'], ['ProxySQL', 'cluster'], ['Postgres', 'postgres']] as const) {
      const s = desiredAuthSecret(provisioned[kind], db())!;
      assert.equal(s.type, 'kubernetes.io/basic-auth', kind);
      assert.equal(s.stringData!.username, user, kind);
      assert.match(s.stringData!.password, /^[A-Za-z0-9]{12,}$/, kind);
    }
    assert.notEqual(desiredAuthSecret(profiles.MySQL, db())!.stringData!.password, desiredAuthSecret(profiles.MySQL, db())!.stringData!.password);
    assert.equal(desiredAuthSecret(profiles.Pgpool, db()), undefined, 'Pgpool logs in with its Postgres\'s');
  });
});

describe('the server\'s needs in the pod template', () => {
  const env = (kind: keyof typeof provisioned, backend?: string) =>
    Object.fromEntries(serverNeeds(provisioned[kind], db(), backend).env.map((e) => [e.name, e.value ?? `${e.valueFrom!.secretKeyRef!.name}:${e.valueFrom!.secretKeyRef!.key}${e.valueFrom!.secretKeyRef!.optional ? '?' : ''}`]));
  test('credentials from the auth Secret, as KubeDB\'s images read them', () => {
    assert.deepEqual(env('MySQL'), { MYSQL_ROOT_USERNAME: 'd-auth:username', MYSQL_ROOT_PASSWORD: 'd-auth:password' });
    assert.deepEqual(env('Postgres'), { POSTGRES_USER: 'd-auth:username', POSTGRES_PASSWORD: 'd-auth:password', PGDATA: '/var/pv/data' });
    assert.deepEqual(env('Pgpool', 'pg-auth'), { POSTGRES_USERNAME: 'pg-auth:username?', POSTGRES_PASSWORD: 'pg-auth:password?' });
  });
  test('ProxySQL: <proxysql>-configuration at /etc/custom-config, beside the template KubeDB makes', () => {
    const pod = desiredStatefulSet(profiles.ProxySQL, db(), 'n', serverNeeds(profiles.ProxySQL, db())).spec!.template.spec!;
    assert.deepEqual(pod.volumes, [{ name: 'custom-config', secret: { secretName: 'd-configuration' } }]);
    assert.deepEqual(pod.containers[0].volumeMounts, [{ name: 'custom-config', mountPath: '/etc/custom-config' }]);
    assert.equal(pod.containers[0].name, 'proxysql');
  });
  test('Postgres: postgres containers on 5432, the primary Service and <pg>-standby', () => {
    const pod = desiredStatefulSet(provisioned.Postgres, db(), 'n').spec!.template.spec!;
    assert.deepEqual(pod.containers[0].ports, [{ name: 'db', containerPort: 5432 }]);
    assert.equal(pod.containers[0].image, 'kubedb/postgres:latest');
    assert.deepEqual(desiredServices(provisioned.Postgres, db()).map((s) => [s.metadata!.name, s.spec!.selector?.['kubedb.com/role'] ?? null]), [['d', 'primary'], ['d-pods', null], ['d-standby', 'standby']]);
  });
});
