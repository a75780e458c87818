import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { V1StatefulSet } from '@kubernetes/client-node';
import { profiles } from '../../model/profiles.ts';
import type { Database } from '../../model/types.ts';
import {
  desiredReplicas,
  desiredServices,
  desiredStatefulSet,
  statefulSetPatch,
} from '../../tools/kubedb-provisioner/workload.ts';
import { tlsLayout, tlsSecretNames } from '../../model/tls-layout.ts';

const mysql = profiles.MySQL;
const issuerRef = { apiGroup: 'cert-manager.io', kind: 'Issuer', name: 'ca' };

function database(spec: Database['spec'] = {}): Database {
  return {
    apiVersion: 'kubedb.com/v1',
    kind: 'MySQL',
    metadata: { name: 'my', namespace: 'demo', uid: 'uid-1', generation: 1 },
    spec: { version: '8.0.36', ...spec },
  };
}

/** What the API server returns for a StatefulSet that was created from `sts`: defaults filled in. */
function asStored(sts: V1StatefulSet, resourceVersion = '7'): V1StatefulSet {
  const stored: V1StatefulSet = structuredClone(sts);
  stored.metadata!.resourceVersion = resourceVersion;
  const spec = stored.spec!.template.spec!;
  spec.restartPolicy = 'Always';
  for (const v of spec.volumes ?? []) v.projected!.defaultMode = 420;
  for (const c of spec.containers) {
    c.imagePullPolicy = 'IfNotPresent';
    c.terminationMessagePath = '/dev/termination-log';
  }
  return stored;
}

describe('desiredReplicas', () => {
  const cases: [string, Database['spec'], number][] = [
    ['GroupReplication without replicas', { topology: { mode: 'GroupReplication' } }, 3],
    ['InnoDBCluster without replicas', { topology: { mode: 'InnoDBCluster' } }, 3],
    ['SemiSync without replicas', { topology: { mode: 'SemiSync' } }, 3],
    ['standalone without replicas', {}, 1],
    ['replicas given', { replicas: 5, topology: { mode: 'GroupReplication' } }, 5],
  ];
  for (const [name, spec, want] of cases) {
    test(name, () => assert.equal(desiredReplicas(mysql, database(spec)), want));
  }
});

describe('desiredStatefulSet', () => {
  test('a database without TLS', () => {
    const sts = desiredStatefulSet(mysql, database({ topology: { mode: 'GroupReplication' } }), 'kwok-node-0');
    const labels = {
      'app.kubernetes.io/instance': 'my',
      'app.kubernetes.io/managed-by': 'kubedb.com',
      'app.kubernetes.io/name': 'mysqls.kubedb.com',
    };
    assert.equal(sts.metadata!.name, 'my');
    assert.equal(sts.metadata!.namespace, 'demo');
    assert.deepEqual(sts.metadata!.ownerReferences, [
      { apiVersion: 'kubedb.com/v1', kind: 'MySQL', name: 'my', uid: 'uid-1', controller: true, blockOwnerDeletion: true },
    ]);
    assert.equal(sts.spec!.replicas, 3);
    assert.equal(sts.spec!.serviceName, 'my-pods');
    assert.deepEqual(sts.spec!.updateStrategy, { type: 'OnDelete' });
    assert.deepEqual(sts.spec!.selector.matchLabels, labels);
    assert.deepEqual(sts.spec!.template.metadata!.labels, labels);
    const pod = sts.spec!.template.spec!;
    assert.equal(pod.nodeName, 'kwok-node-0');
    assert.deepEqual(pod.tolerations, [{ operator: 'Exists' }]);
    assert.deepEqual(pod.containers, [
      { name: 'mysql', image: 'kubedb/mysql:8.0.36', ports: [{ name: 'db', containerPort: 3306 }] },
    ]);
    assert.equal(pod.volumes, undefined);
  });

  test('MySQL with TLS and requireSSL: one projected volume from the server and client Secrets, and TLS args', () => {
    const sts = desiredStatefulSet(mysql, database({ tls: { issuerRef }, requireSSL: true }), 'n');
    const pod = sts.spec!.template.spec!;
    assert.deepEqual(pod.volumes, [
      {
        name: 'tls-volume',
        projected: {
          sources: [
            {
              secret: {
                name: 'my-server-cert',
                items: [
                  { key: 'ca.crt', path: 'ca.crt' },
                  { key: 'tls.crt', path: 'server.crt' },
                  { key: 'tls.key', path: 'server.key' },
                ],
              },
            },
            {
              secret: {
                name: 'my-client-cert',
                items: [
                  { key: 'tls.crt', path: 'client.crt' },
                  { key: 'tls.key', path: 'client.key' },
                ],
              },
            },
          ],
        },
      },
    ]);
    assert.deepEqual(pod.containers[0].volumeMounts, [{ name: 'tls-volume', mountPath: '/etc/mysql/certs', readOnly: true }]);
    assert.deepEqual(pod.containers[0].args, [
      '--ssl-capath=/etc/mysql/certs',
      '--ssl-ca=/etc/mysql/certs/ca.crt',
      '--ssl-cert=/etc/mysql/certs/server.crt',
      '--ssl-key=/etc/mysql/certs/server.key',
      '--require-secure-transport=ON',
    ]);
  });

  test("a user's secretName is the Secret mounted", () => {
    const db = database({ tls: { issuerRef, certificates: [{ alias: 'server', secretName: 'mine' }] } });
    const sources = desiredStatefulSet(mysql, db, 'n').spec!.template.spec!.volumes![0].projected!.sources!;
    assert.deepEqual(sources.map((s) => s.secret!.name), ['mine', 'my-client-cert']);
  });

  test('PerconaXtraDB with TLS: a volume per mount, and the server TLS args', () => {
    const db = { ...database({ tls: { issuerRef } }), kind: 'PerconaXtraDB' };
    const pod = desiredStatefulSet(profiles.PerconaXtraDB, db, 'n').spec!.template.spec!;
    assert.deepEqual(pod.volumes!.map((v) => [v.name, v.projected!.sources!.map((s) => s.secret!.name)]), [
      ['tls-server-config', ['my-server-cert']],
      ['tls-client-config', ['my-client-cert']],
    ]);
    assert.deepEqual(pod.containers[0].volumeMounts!.map((m) => m.mountPath), [
      '/etc/mysql/certs/server',
      '/etc/mysql/certs/client',
    ]);
    assert.deepEqual(pod.containers[0].args, [
      '--ssl-capath=/etc/mysql/certs/server',
      '--ssl-ca=/etc/mysql/certs/server/ca.crt',
      '--ssl-cert=/etc/mysql/certs/server/tls.crt',
      '--ssl-key=/etc/mysql/certs/server/tls.key',
    ]);
  });
});

describe('tlsSecretNames', () => {
  const cases: [string, keyof typeof profiles, Database['spec'], string[]][] = [
    ['TLS off', 'MySQL', {}, []],
    ['tls without an issuer', 'MySQL', { tls: { certificates: [] } }, []],
    ['MySQL', 'MySQL', { tls: { issuerRef } }, ['my-server-cert', 'my-client-cert']],
    ['Pgpool mounts the server certificate only', 'Pgpool', { tls: { issuerRef } }, ['my-server-cert']],
  ];
  for (const [name, kind, spec, want] of cases) {
    test(name, () => assert.deepEqual(tlsSecretNames(tlsLayout(profiles[kind], database(spec))), want));
  }
});

describe('statefulSetPatch', () => {
  const plain = database({ topology: { mode: 'GroupReplication' } });
  const withTLS = database({ topology: { mode: 'GroupReplication' }, tls: { issuerRef } });

  test('nothing to do when the stored StatefulSet matches (server defaults do not count)', () => {
    for (const db of [plain, withTLS]) {
      assert.equal(statefulSetPatch(mysql, db, asStored(desiredStatefulSet(mysql, db, 'n')), true), undefined);
    }
  });

  test('replicas follow the spec, with the resourceVersion the patch was computed from', () => {
    const stored = asStored(desiredStatefulSet(mysql, plain, 'n'));
    assert.deepEqual(statefulSetPatch(mysql, database({ ...plain.spec, replicas: 5 }), stored, true), {
      metadata: { resourceVersion: '7' },
      spec: { replicas: 5 },
    });
  });

  test('TLS added: volumes, mounts and args join what the template already has', () => {
    const stored = asStored(desiredStatefulSet(mysql, plain, 'n'));
    stored.spec!.template.spec!.volumes = [{ name: 'data', emptyDir: {} }];
    stored.spec!.template.spec!.containers[0].args = ['--user=mysql'];
    stored.spec!.template.spec!.containers[0].volumeMounts = [{ name: 'data', mountPath: '/var/lib/mysql' }];
    const pod = statefulSetPatch(mysql, withTLS, stored, true)!.spec.template!.spec;
    assert.deepEqual(pod.volumes!.map((v) => v.name), ['data', 'tls-volume']);
    assert.deepEqual(pod.containers[0].args, ['--user=mysql', ...mysql.tlsArgs]);
    assert.deepEqual(pod.containers[0].volumeMounts!.map((m) => m.name), ['data', 'tls-volume']);
    assert.equal(pod.containers[0].imagePullPolicy, 'IfNotPresent', 'the rest of the container is kept');
  });

  test('TLS added but its Secrets missing: the template is left alone', () => {
    const stored = asStored(desiredStatefulSet(mysql, plain, 'n'));
    assert.equal(statefulSetPatch(mysql, withTLS, stored, false), undefined);
  });

  test('TLS removed: its volume, mount and args go', () => {
    const stored = asStored(desiredStatefulSet(mysql, database({ ...withTLS.spec, requireSSL: true }), 'n'));
    const pod = statefulSetPatch(mysql, plain, stored, true)!.spec.template!.spec;
    assert.equal(pod.volumes, null);
    assert.equal(pod.containers[0].args, undefined);
    assert.equal(pod.containers[0].volumeMounts, undefined);
  });

  test('requireSSL turned on: the args change', () => {
    const stored = asStored(desiredStatefulSet(mysql, withTLS, 'n'));
    const pod = statefulSetPatch(mysql, database({ ...withTLS.spec, requireSSL: true }), stored, true)!.spec.template!.spec;
    assert.deepEqual(pod.containers[0].args, [...mysql.tlsArgs, ...mysql.requireSSLArgs]);
  });
});

describe('desiredServices', () => {
  test('MySQL: primary, governing (headless) and standby Services', () => {
    const services = desiredServices(mysql, database());
    const labels = desiredStatefulSet(mysql, database(), 'n').spec!.selector.matchLabels!;
    assert.deepEqual(
      services.map((s) => [s.metadata!.name, s.spec!.clusterIP ?? 'ClusterIP', s.spec!.selector]),
      [
        ['my', 'ClusterIP', { ...labels, 'kubedb.com/role': 'primary' }],
        ['my-pods', 'None', labels],
        ['my-standby', 'ClusterIP', { ...labels, 'kubedb.com/role': 'standby' }],
      ],
    );
    assert.equal(services[1].spec!.publishNotReadyAddresses, true);
    for (const s of services) {
      assert.deepEqual(s.spec!.ports, [{ name: 'db', port: 3306, targetPort: 'db' }]);
      assert.equal(s.metadata!.ownerReferences![0].uid, 'uid-1');
    }
  });

  test('kinds without roles: `<db>` selects every pod, no standby Service', () => {
    const services = desiredServices(profiles.ProxySQL, database());
    assert.deepEqual(services.map((s) => s.metadata!.name), ['my', 'my-pods']);
    assert.equal(services[0].spec!.selector!['kubedb.com/role'], undefined);
    assert.equal(services[0].spec!.ports![0].port, 6033);
  });
});
