// The stand-in for KubeDB's provisioner: live views of the databases of every profiled kind and of what they
// own (pods, StatefulSets, Services) plus the certificate Secrets and simulated nodes they need; every change
// queues the database it concerns, and one reconcile per database at a time gathers inputs from the views,
// asks the pure parts (workload, phase, roles) what should be, and applies the difference.
import { isDeepStrictEqual } from 'node:util';
import type { KubernetesObject, V1Node, V1Pod, V1Secret, V1Service, V1StatefulSet } from '@kubernetes/client-node';
import {
  apiMessage,
  isConflict,
  isNotFound,
  mergePatch,
  secretFiles,
  statusCode,
  type Collection,
  type Kube,
} from '../../platform/kube.ts';
import type { Logger } from '../../platform/logger.ts';
import { KeyedQueue } from '../../platform/keyed-queue.ts';
import { observe, type Observation } from '../../platform/watch.ts';
import { customConfigSecretName } from '../../model/custom-config.ts';
import { pgpoolConfKey } from '../../model/pgpool-config.ts';
import { databaseApiVersion, podSelectorLabels, roleLabel, type DatabaseProfile } from '../../model/profiles.ts';
import { tlsLayout, tlsSecretNames } from '../../model/tls-layout.ts';
import type { Condition, Database } from '../../model/types.ts';
import { authSecretName, desiredAuthSecret } from './auth-secret.ts';
import { provisioned as profiles, provisionedKinds as databaseKinds, type ProvisionedKind as DatabaseKind } from './kinds.ts';
import { desiredStatus, type DatabaseStatus } from './phase.ts';
import { backendUserHashes } from './backend-users.ts';
import { declarativeOf, desiredProxySQLConfig, type ProxySQLInputs } from './proxysql-config.ts';
import { serverNeeds } from './server-needs.ts';
import { desiredConfigSecret } from './rendered-config.ts';
import { podOrdinal, roleChanges } from './roles.ts';
import {
  desiredReplicas,
  desiredServices,
  desiredStatefulSet,
  statefulSetPatch,
  type StatefulSetPatch,
} from './workload.ts';

const managedByKubeDB = { labelSelector: 'app.kubernetes.io/managed-by=kubedb.com' };
const simulatedNodeAnnotation = 'kwok.x-k8s.io/node';

const databases = (p: DatabaseProfile): Collection => ({ apiVersion: databaseApiVersion(p), kind: p.kind, plural: p.plural });
const allPods: Collection = { apiVersion: 'v1', kind: 'Pod', plural: 'pods' };
const allSecrets: Collection = { apiVersion: 'v1', kind: 'Secret', plural: 'secrets' };
const allServices: Collection = { apiVersion: 'v1', kind: 'Service', plural: 'services' };
const allStatefulSets: Collection = { apiVersion: 'apps/v1', kind: 'StatefulSet', plural: 'statefulsets' };
const nodes: Collection = { apiVersion: 'v1', kind: 'Node', plural: 'nodes' };

const isPaused = (db: Database) =>
  (db.status?.conditions ?? []).some((c) => c.type === 'Paused' && c.status === 'True');
const isDeleting = (o: { metadata?: object }) => Boolean((o.metadata as { deletionTimestamp?: unknown } | undefined)?.deletionTimestamp);
const isReady = (pod: V1Pod) =>
  !isDeleting(pod) && (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
/** Nothing can be created in a namespace being deleted, and nothing needs to be: its database goes too. */
const namespaceTerminating = (err: unknown) => statusCode(err) === 403 && /being terminated/.test(apiMessage(err));
const nowSeconds = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

/** A database is queued by `<Kind>/<namespace>/<name>`. */
const dbKey = (p: DatabaseProfile, namespace: string, name: string) => `${p.kind}/${namespace}/${name}`;

/** The database an owned object (pod, StatefulSet, Service) belongs to, from the labels KubeDB puts on it. */
function ownerKey(o: KubernetesObject): string | undefined {
  const labels = o.metadata?.labels ?? {};
  const p = Object.values(profiles).find((q) => labels['app.kubernetes.io/name'] === `${q.plural}.${q.group}`);
  const name = labels['app.kubernetes.io/instance'];
  return p && name && o.metadata?.namespace ? dbKey(p, o.metadata.namespace, name) : undefined;
}

export async function runProvisioner(kube: Kube, signal: AbortSignal, log: Logger): Promise<void> {
  // The views: each map is the live one `observe` keeps, replaced after every (re-)list.
  const view = {
    databases: new Map<DatabaseKind, Map<string, Database>>(),
    pods: new Map<string, V1Pod>(),
    statefulSets: new Map<string, V1StatefulSet>(),
    services: new Map<string, V1Service>(),
    secrets: new Map<string, V1Secret>(),
    nodes: new Map<string, V1Node>(),
  };
  const fixedNode = process.env.SIMULATED_NODE;
  const simulatedNode = () =>
    fixedNode ??
    [...view.nodes.values()]
      .filter((n) => n.metadata?.annotations?.[simulatedNodeAnnotation] === 'fake')
      .map((n) => n.metadata!.name!)
      .sort()[0];

  const failures = new Map<string, number>();
  const retryTimers = new Set<NodeJS.Timeout>();
  signal.addEventListener('abort', () => retryTimers.forEach(clearTimeout), { once: true });
  const queue = new KeyedQueue(async (key) => {
    try {
      await reconcile(key);
      failures.delete(key);
    } catch (err) {
      // Back off and try again; a change to the database or what it owns queues it sooner anyway.
      const attempt = (failures.get(key) ?? 0) + 1;
      failures.set(key, attempt);
      const delay = Math.min(30_000, 500 * 2 ** attempt);
      log.warn({ db: key, err: apiMessage(err), retryInMs: delay }, 'reconcile failed');
      const timer = setTimeout(() => {
        retryTimers.delete(timer);
        queue.add(key);
      }, delay);
      retryTimers.add(timer);
    }
  }, signal);

  // Nothing is reconciled before every view has been listed once: a half-filled view would look like
  // missing StatefulSets, Services or Secrets.
  const unsynced = new Set<string>();
  const enqueue = (key: string | undefined) => key && !unsynced.size && queue.add(key);
  const enqueueAll = () => {
    for (const [kind, dbs] of view.databases) {
      for (const db of dbs.values()) enqueue(dbKey(profiles[kind], db.metadata.namespace!, db.metadata.name!));
    }
  };
  const watch = <T extends KubernetesObject>(
    name: string,
    collection: Collection,
    selector: { labelSelector?: string },
    onChange: (o: Observation<T>) => void,
  ) => {
    unsynced.add(name);
    return observe<T>(kube, collection, selector, (o) => {
      onChange(o);
      if (o.type === 'SYNC') {
        unsynced.delete(name);
        enqueueAll();
      }
    }, signal, (err) => log.warn({ view: name, err: apiMessage(err) }, 'watch failed; re-listing'));
  };

  // --- reconcile: one database ---

  async function reconcile(key: string): Promise<void> {
    const [kind, namespace, name] = key.split('/') as [DatabaseKind, string, string];
    const p = profiles[kind];
    const db = view.databases.get(kind)?.get(`${namespace}/${name}`);
    if (!db || isDeleting(db)) return;
    const pods = [...view.pods.values()].filter((pod) => pod.metadata?.namespace === namespace && selects(p, name, pod));
    // Roles are the database's own doing (its coordinator), so they are kept even while it is paused.
    if (p.primaryStandby) await assignRoles(key, pods);
    if (isPaused(db)) return;

    const writes: (() => Promise<boolean>)[] = [];
    let waitingFor: string | undefined;
    const missingSecrets = tlsSecretNames(tlsLayout(p, db)).filter((s) => !view.secrets.has(`${namespace}/${s}`));
    const secretsText = `certificate Secrets ${missingSecrets.join(', ')}`;
    // What the server needs before its pods can start: its auth Secret, ProxySQL's rendered configuration.
    const auth = desiredAuthSecret(p, db);
    const authNow = auth && view.secrets.get(`${namespace}/${auth.metadata!.name}`);
    if (auth && !authNow) writes.push(() => createSecret(key, auth));
    const inputs = kind === 'ProxySQL' && authNow ? await proxysqlInputs(db, authNow) : undefined;
    const proxysqlConfig = inputs && desiredProxySQLConfig(p, db, inputs);
    const proxysqlConfigNow = proxysqlConfig && view.secrets.get(`${namespace}/${proxysqlConfig.metadata!.name}`);
    if (proxysqlConfig && !isDeepStrictEqual(proxysqlConfigNow?.data, proxysqlConfig.data)) writes.push(() => writeConfigSecret(key, proxysqlConfig, proxysqlConfigNow));
    // The custom configuration the database names: mounted (MySQL, PerconaXtraDB) or rendered (Pgpool) once it exists.
    const customName = customConfigSecretName(db);
    const customSecret = customName ? view.secrets.get(`${namespace}/${customName}`) : undefined;
    const customFiles = secretFiles(customSecret);
    const serverNotReady = [
      [customName && !customSecret, `its custom configuration Secret ${customName}`],
      // pgpool started before its backends marks them down and, without health checks, never looks again.
      [kind === 'Pgpool' && !backendReady(db), 'its Postgres (spec.postgresRef) to be Ready'],
      [auth && !authNow, `the auth Secret ${auth?.metadata!.name}`],
      [kind === 'ProxySQL' && !inputs, 'the users of its backend MySQL (its primary Ready)'],
      [kind === 'ProxySQL' && !proxysqlConfigNow, `the configuration Secret of ${name}`],
    ].find(([waiting]) => waiting)?.[1] as string | undefined;
    const current = view.statefulSets.get(`${namespace}/${name}`);
    if (!current) {
      const node = simulatedNode();
      if (missingSecrets.length) waitingFor = `${secretsText} before creating the StatefulSet`;
      else if (serverNotReady) waitingFor = `${serverNotReady} before creating the StatefulSet`;
      else if (!node) waitingFor = `a simulated node (a Node annotated ${simulatedNodeAnnotation}=fake)`;
      else writes.push(() => createStatefulSet(key, desiredStatefulSet(p, db, node, serverNeeds(p, db, kind === 'Pgpool' ? backendAuth(db) : undefined), customFiles)));
    } else {
      if (missingSecrets.length) waitingFor = `${secretsText} before updating the StatefulSet`;
      const patch = statefulSetPatch(p, db, current, !missingSecrets.length);
      if (patch) writes.push(() => patchStatefulSet(key, namespace, name, patch));
    }
    for (const service of desiredServices(p, db)) {
      if (!view.services.has(`${namespace}/${service.metadata!.name}`)) writes.push(() => createService(key, service));
    }
    const config = customName && !customSecret ? undefined : desiredConfigSecret(p, db, customFiles?.[pgpoolConfKey]);
    const renderedNow = config && view.secrets.get(`${namespace}/${config.metadata!.name}`);
    if (config && !isDeepStrictEqual(renderedNow?.data, config.data)) writes.push(() => writeConfigSecret(key, config, renderedNow));
    if (writes.length) {
      // The view may not show a pause that was just set: read the database itself before touching its workload.
      // (Reading it after the StatefulSet's view was taken, and patching with that view's resourceVersion,
      // means a template changed under a newer pause is never overwritten.)
      const fresh = await getDatabase(p, namespace, name);
      if (!fresh || isPaused(fresh)) return;
      for (const write of writes) if (!(await write())) return;
    }
    await writeStatus(key, p, db, pods, waitingFor);
  }

  /**
   * A ProxySQL's rendered configuration from its auth Secret, its declarative configuration and its backend
   * MySQL (spec.backend), whose users' password hashes are read from its primary when the configuration names
   * users or syncUsers asks for all of them (a backend not reachable yet is read again on its next change).
   */
  async function proxysqlInputs(db: Database, auth: V1Secret): Promise<ProxySQLInputs | undefined> {
    const decode = (k: string) => Buffer.from(auth.data?.[k] ?? '', 'base64').toString('utf8');
    const backendName = (db.spec?.backend as { name?: string } | undefined)?.name;
    const backend = backendName ? view.databases.get('MySQL')?.get(`${db.metadata.namespace}/${backendName}`) : undefined;
    const declarative = declarativeOf(db);
    const syncUsers = db.spec?.syncUsers === true;
    let backendUsers: Map<string, string> | undefined;
    if (backend && (syncUsers || declarative.mysqlUsers?.length)) {
      const primary = [...view.pods.values()].find((pod) => pod.metadata?.namespace === db.metadata.namespace && selects(profiles.MySQL, backendName!, pod) && pod.metadata?.labels?.[roleLabel] === 'primary' && isReady(pod));
      const backendAuth = view.secrets.get(`${db.metadata.namespace}/${authSecretName(backend)}`);
      // Without them the configuration would lose its users: leave it as it is until the backend answers (a
      // primary that does not answer yet fails this reconcile, which is tried again after a back-off).
      if (!primary || !backendAuth) return undefined;
      backendUsers = await backendUserHashes(primary, backendAuth);
    }
    return {
      cluster: { username: decode('username'), password: decode('password') },
      ...(backend ? { backend: { profile: profiles.MySQL, db: backend } } : {}),
      declarative,
      syncUsers,
      ...(backendUsers ? { backendUsers } : {}),
    };
  }

  /** A Pgpool's Postgres (spec.postgresRef) is Ready; one in another namespace is taken as Ready (it is not ours to see). */
  function backendReady(db: Database): boolean {
    const ref = (db.spec?.postgresRef ?? {}) as { name?: string; namespace?: string };
    if (ref.namespace && ref.namespace !== db.metadata.namespace) return true;
    // Without a name, the backend pgpool.conf names (model/pgpool-settings.ts).
    return view.databases.get('Postgres')?.get(`${db.metadata.namespace}/${ref.name ?? `${db.metadata.name}-postgres`}`)?.status?.phase === 'Ready';
  }

  /** The auth Secret of a Pgpool's Postgres (spec.postgresRef), when it is in the Pgpool's namespace. */
  function backendAuth(db: Database): string | undefined {
    const ref = (db.spec?.postgresRef ?? {}) as { name?: string; namespace?: string };
    if (!ref.name || (ref.namespace && ref.namespace !== db.metadata.namespace)) return undefined;
    const pg = view.databases.get('Postgres')?.get(`${db.metadata.namespace}/${ref.name}`);
    return pg ? authSecretName(pg) : `${ref.name}-auth`;
  }

  function selects(p: DatabaseProfile, db: string, pod: V1Pod): boolean {
    const labels = pod.metadata?.labels ?? {};
    return Object.entries(podSelectorLabels(p, db)).every(([k, v]) => labels[k] === v);
  }

  async function assignRoles(key: string, pods: V1Pod[]) {
    const inputs = pods.map((pod) => ({
      name: pod.metadata!.name!,
      ordinal: podOrdinal(pod.metadata!.name!),
      ready: isReady(pod),
      terminating: isDeleting(pod),
      role: pod.metadata?.labels?.[roleLabel],
    }));
    for (const change of roleChanges(inputs)) {
      const pod = pods.find((q) => q.metadata!.name === change.pod)!;
      try {
        await kube.core.patchNamespacedPod(
          {
            name: change.pod,
            namespace: pod.metadata!.namespace!,
            // Decided from this version of the pod: if it changed meanwhile, decide again on the newer one.
            body: { metadata: { resourceVersion: pod.metadata!.resourceVersion, labels: { [roleLabel]: change.to } } },
          },
          mergePatch,
        );
        log.info({ db: key, pod: change.pod, from: change.from ?? null, to: change.to }, 'role changed');
      } catch (err) {
        // A newer state of the pods is on its way through the watch and will queue the database again.
        if (isConflict(err) || isNotFound(err)) return;
        throw err;
      }
    }
  }

  async function getDatabase(p: DatabaseProfile, namespace: string, name: string): Promise<Database | undefined> {
    try {
      return (await kube.custom.getNamespacedCustomObject({
        group: p.group,
        version: p.version,
        namespace,
        plural: p.plural,
        name,
      })) as Database;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  // Each write resolves true when done, false when it lost a race with a newer version (the watch brings it).

  async function createStatefulSet(key: string, body: V1StatefulSet): Promise<boolean> {
    try {
      await kube.apps.createNamespacedStatefulSet({ namespace: body.metadata!.namespace!, body });
      log.info({ db: key, replicas: body.spec!.replicas, node: body.spec!.template.spec!.nodeName }, 'created StatefulSet');
      return true;
    } catch (err) {
      if (isConflict(err) || namespaceTerminating(err)) return false;
      throw err;
    }
  }

  async function patchStatefulSet(key: string, namespace: string, name: string, body: StatefulSetPatch): Promise<boolean> {
    try {
      await kube.apps.patchNamespacedStatefulSet({ name, namespace, body }, mergePatch);
      log.info({ db: key, changed: Object.keys(body.spec) }, 'updated StatefulSet');
      return true;
    } catch (err) {
      if (isConflict(err) || isNotFound(err)) return false;
      throw err;
    }
  }

  /** Creates the rendered configuration Secret, or replaces its data (from the version the view holds). */
  async function writeConfigSecret(key: string, body: V1Secret, current: V1Secret | undefined): Promise<boolean> {
    const namespace = body.metadata!.namespace!;
    try {
      if (current) {
        await kube.core.replaceNamespacedSecret({ namespace, name: body.metadata!.name!, body: { ...current, data: body.data } });
      } else {
        await kube.core.createNamespacedSecret({ namespace, body });
      }
      log.info({ db: key, secret: body.metadata!.name }, current ? 'updated rendered configuration' : 'created rendered configuration');
      return true;
    } catch (err) {
      if (isConflict(err) || namespaceTerminating(err)) return false;
      throw err;
    }
  }

  /** Creates a Secret that must exist (never rewritten: an auth Secret keeps the password it was made with). */
  async function createSecret(key: string, body: V1Secret): Promise<boolean> {
    try {
      await kube.core.createNamespacedSecret({ namespace: body.metadata!.namespace!, body });
      log.info({ db: key, secret: body.metadata!.name }, 'created auth Secret');
    } catch (err) {
      if (namespaceTerminating(err)) return false;
      if (!isConflict(err)) throw err;
    }
    return true;
  }

  async function createService(key: string, body: V1Service): Promise<boolean> {
    try {
      await kube.core.createNamespacedService({ namespace: body.metadata!.namespace!, body });
      log.info({ db: key, service: body.metadata!.name }, 'created Service');
    } catch (err) {
      if (namespaceTerminating(err)) return false;
      if (!isConflict(err)) throw err;
    }
    return true;
  }

  /**
   * Brings the provisioner's conditions and the phase up to date, keeping everyone else's conditions: a merge
   * patch replaces the whole list, so it is computed from a fresh read and sent with that read's
   * resourceVersion; a conflict means someone wrote in between, and the write is computed again.
   */
  async function writeStatus(key: string, p: DatabaseProfile, cached: Database, pods: V1Pod[], waitingFor?: string) {
    const statusOf = (db: Database): DatabaseStatus =>
      desiredStatus(
        {
          subject: `${p.kind}: ${db.metadata.namespace}/${db.metadata.name}`,
          generation: db.metadata.generation ?? 0,
          replicas: desiredReplicas(p, db),
          ready: pods.filter(isReady).length,
          waitingFor,
        },
        db.status?.conditions ?? [],
        nowSeconds(),
      );
    // Most changes (including this provisioner's own writes coming back) need no write: settle that from the view.
    if (isCurrent(cached, statusOf(cached))) return;
    for (let attempt = 0; attempt < 5; attempt++) {
      const fresh = await getDatabase(p, cached.metadata.namespace!, cached.metadata.name!);
      if (!fresh || isPaused(fresh) || isDeleting(fresh)) return;
      const status = statusOf(fresh);
      if (isCurrent(fresh, status)) return;
      try {
        await kube.custom.patchNamespacedCustomObjectStatus(
          {
            group: p.group,
            version: p.version,
            namespace: fresh.metadata.namespace!,
            plural: p.plural,
            name: fresh.metadata.name!,
            body: { metadata: { resourceVersion: fresh.metadata.resourceVersion }, status },
          },
          mergePatch,
        );
        if (fresh.status?.phase !== status.phase) {
          log.info({ db: key, from: fresh.status?.phase ?? null, to: status.phase }, 'phase changed');
        }
        return;
      } catch (err) {
        if (!isConflict(err)) throw err;
      }
    }
    throw new Error('status kept changing under concurrent writers; will retry');
  }

  function isCurrent(db: Database, status: DatabaseStatus): boolean {
    const current: { phase?: string; observedGeneration?: number; conditions?: Condition[] } = db.status ?? {};
    return (
      current.phase === status.phase &&
      current.observedGeneration === status.observedGeneration &&
      isDeepStrictEqual(current.conditions ?? [], status.conditions)
    );
  }

  // --- the views, and which database each change concerns ---

  const owned = <T extends KubernetesObject>(into: (objects: Map<string, T>) => void) => (o: Observation<T>) => {
    into(o.objects);
    if (o.object) enqueue(ownerKey(o.object));
  };

  const views: Promise<void>[] = databaseKinds.map((kind) =>
    watch<Database & KubernetesObject>(`${kind} databases`, databases(profiles[kind]), {}, (o) => {
      view.databases.set(kind, o.objects);
      if (o.object) {
        enqueue(dbKey(profiles[kind], o.object.metadata.namespace!, o.object.metadata.name!));
        // A ProxySQL's configuration names its backend MySQL's pods; a Pgpool starts once its Postgres is Ready.
        const dependents = kind === 'MySQL' ? (['ProxySQL', 'backend'] as const) : kind === 'Postgres' ? (['Pgpool', 'postgresRef'] as const) : undefined;
        for (const front of dependents ? (view.databases.get(dependents[0])?.values() ?? []) : []) {
          if (front.metadata.namespace === o.object.metadata.namespace && (front.spec?.[dependents![1]] as { name?: string } | undefined)?.name === o.object.metadata.name) {
            enqueue(dbKey(profiles[dependents![0]], front.metadata.namespace!, front.metadata.name!));
          }
        }
      }
    }),
  );
  views.push(
    watch<V1Pod>('pods', allPods, managedByKubeDB, owned((m) => (view.pods = m))),
    watch<V1StatefulSet>('statefulsets', allStatefulSets, managedByKubeDB, owned((m) => (view.statefulSets = m))),
    watch<V1Service>('services', allServices, managedByKubeDB, owned((m) => (view.services = m))),
    watch<V1Secret>('secrets', allSecrets, {}, (o) => {
      view.secrets = o.objects;
      const secret = o.object?.metadata;
      if (!secret) return;
      // A certificate Secret appearing (or going) concerns the TLS databases of its namespace that mount it;
      // an auth Secret, its database (a ProxySQL's configuration is rendered from it); a custom configuration, the
      // database that names it.
      for (const [kind, dbs] of view.databases) {
        for (const db of dbs.values()) {
          if (db.metadata.namespace !== secret.namespace) continue;
          if (tlsSecretNames(tlsLayout(profiles[kind], db)).includes(secret.name!) || authSecretName(db) === secret.name || customConfigSecretName(db) === secret.name) {
            enqueue(dbKey(profiles[kind], secret.namespace!, db.metadata.name!));
          }
        }
      }
    }),
  );
  if (!fixedNode) {
    let chosen: string | undefined;
    views.push(
      watch<V1Node>('nodes', nodes, {}, (o) => {
        view.nodes = o.objects;
        // Node status changes often; only a different choice of node matters.
        if (simulatedNode() !== chosen) {
          chosen = simulatedNode();
          enqueueAll();
        }
      }),
    );
  }
  log.info({ kinds: databaseKinds, node: fixedNode ?? 'first Node annotated kwok.x-k8s.io/node=fake' }, 'provisioner started');
  await Promise.all(views);
  await queue.drain();
}
