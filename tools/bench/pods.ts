// `npm run bench:pods`: the pod runtime's figures. A 3-pod database of each kind (MySQL, PerconaXtraDB,
// Postgres, Pgpool before that Postgres, ProxySQL before that MySQL) is created at once in a fresh
// namespace; printed: each pod's time from creation to Ready with its real server (first start: the data
// directory is initialised), then from the deletion of one pod per kind to its replacement being Ready
// (the data directory is there), the memory of each pod's server (its process group: RSS, and PSS, which
// shares what processes share), and the memory of the whole environment before and with the databases.
import { readdirSync, readFileSync } from 'node:fs';
import type { V1Pod } from '@kubernetes/client-node';
import { loadLocalEnvDefaults } from '../../platform/env.ts';
import { connectKube, pods } from '../../platform/kube.ts';
import { observe } from '../../platform/watch.ts';
import { environmentPids, up } from '../localenv/lifecycle.ts';
import { stateDir } from '../localenv/paths.ts';
import { readMode } from '../pod-runtime/mode.ts';

await up(() => {});
loadLocalEnvDefaults();
const mode = readMode(stateDir);
if (!mode?.enabled) {
  console.error(`no real servers behind the pods in this environment: ${mode?.summary}`);
  process.exit(1);
}
const { apply, createNamespace, deleteNamespace } = await import('../../test/helpers/cluster.ts');
const kube = connectKube();

// --- memory, from /proc ---
interface Proc { pid: number; ppid: number; rssKb: number }
function processes(): Proc[] {
  const out: Proc[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const rss = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${name}/status`, 'utf8'))?.[1];
      out.push({ pid: Number(name), ppid: Number(fields[1]), rssKb: Number(rss ?? 0) });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}
const pssKb = (pid: number) => {
  try {
    return Number(/Pss:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
};
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`;

/** PSS of every process of the environment: its recorded processes and all their descendants (the servers too). */
function environmentPssKb(): number {
  const pids = environmentPids();
  const all = processes();
  const tree = new Set<number>(Object.values(pids));
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of all) if (tree.has(p.ppid) && !tree.has(p.pid)) (tree.add(p.pid), (grew = true));
  }
  return sum([...tree].map(pssKb));
}

/** A pod's server and every process it started (PostgreSQL's children leave its process group). */
function podMemory(pod: V1Pod): { rssKb: number; pssKb: number; processes: number } {
  const pid = Number(pod.status!.containerStatuses![0].containerID!.split('/').pop());
  const all = processes();
  const tree = new Set([pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of all) if (tree.has(p.ppid) && !tree.has(p.pid)) (tree.add(p.pid), (grew = true));
  }
  const mine = all.filter((p) => tree.has(p.pid));
  return { rssKb: sum(mine.map((p) => p.rssKb)), pssKb: sum(mine.map((p) => pssKb(p.pid))), processes: mine.length };
}

// --- the databases ---
const kinds = [
  { kind: 'MySQL', db: 'my', yaml: 'apiVersion: kubedb.com/v1\nkind: MySQL\nmetadata: {name: my}\nspec: {version: "8.0.35", topology: {mode: GroupReplication}, deletionPolicy: WipeOut}\n' },
  { kind: 'PerconaXtraDB', db: 'px', yaml: 'apiVersion: kubedb.com/v1\nkind: PerconaXtraDB\nmetadata: {name: px}\nspec: {version: "8.0.26", replicas: 3, deletionPolicy: WipeOut}\n' },
  { kind: 'Postgres', db: 'pg', yaml: 'apiVersion: kubedb.com/v1\nkind: Postgres\nmetadata: {name: pg}\nspec: {version: "16.1", replicas: 3, deletionPolicy: WipeOut}\n' },
  { kind: 'Pgpool', db: 'pool', yaml: 'apiVersion: kubedb.com/v1alpha2\nkind: Pgpool\nmetadata: {name: pool}\nspec: {version: "4.5.0", replicas: 3, postgresRef: {name: pg}, deletionPolicy: WipeOut}\n' },
  { kind: 'ProxySQL', db: 'proxy', yaml: 'apiVersion: kubedb.com/v1\nkind: ProxySQL\nmetadata: {name: proxy}\nspec: {version: "2.3.2-debian", replicas: 3, backend: {name: my}, deletionPolicy: WipeOut}\n' },
];
const podNames = kinds.flatMap((k) => [0, 1, 2].map((i) => `${k.db}-${i}`));
const isReady = (p: V1Pod) => !p.metadata?.deletionTimestamp && (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

const baseline = environmentPssKb();
const alone = await createNamespace('bench-pods');
const together = await createNamespace('bench-pods');
const stop = new AbortController();
const created = new Map<string, number>(); // uid → ms first seen
const readyAt = new Map<string, number>(); // uid → ms first Ready
let current = new Map<string, V1Pod>();
let onChange = () => {};
const watching = observe<V1Pod>(kube, pods(), {}, ({ objects }) => {
  current = objects;
  const now = Date.now();
  for (const p of objects.values()) {
    const uid = p.metadata!.uid!;
    if (!created.has(uid)) created.set(uid, now);
    if (isReady(p) && !readyAt.has(uid)) readyAt.set(uid, now);
  }
  onChange();
}, stop.signal);
const until = (check: () => boolean, timeoutMs = 180_000) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timed out')), timeoutMs);
    onChange = () => {
      if (check()) (clearTimeout(timer), resolve());
    };
    onChange();
  });
const pod = (ns: string, name: string) => current.get(`${ns}/${name}`);
const ready = (ns: string, names: string[]) => names.every((n) => pod(ns, n) && isReady(pod(ns, n)!));
const startToReady = (ns: string, name: string) => readyAt.get(pod(ns, name)!.metadata!.uid!)! - created.get(pod(ns, name)!.metadata!.uid!)!;
// (A pod's own creation as this watch saw it: used for the pods created all at once.)
const namesOf = (db: string) => [0, 1, 2].map((i) => `${db}-${i}`);

try {
  // Each kind alone: its 3 pods created together, the kinds one after the other (backends first).
  const applied = new Map<string, number>();
  for (const k of kinds) {
    applied.set(k.kind, Date.now());
    await apply(alone, k.yaml);
    await until(() => ready(alone, namesOf(k.db)));
  }
  // From the database object's creation: the provisioner's StatefulSet, the pods, kwok's IP, the runtime's start.
  const firstStart = new Map(kinds.flatMap((k) => namesOf(k.db).map((n) => [n, readyAt.get(pod(alone, n)!.metadata!.uid!)! - applied.get(k.kind)!] as const)));
  const memory = new Map(podNames.map((n) => [n, podMemory(pod(alone, n)!)]));
  const withDatabases = environmentPssKb();

  // One replacement per kind, one after the other: deletion → the new pod Ready (its data directory is there).
  const replaced = new Map<string, number>();
  for (const k of kinds) {
    const name = `${k.db}-1`;
    const old = pod(alone, name)!.metadata!.uid!;
    const t = Date.now();
    await kube.core.deleteNamespacedPod({ namespace: alone, name });
    await until(() => { const p = pod(alone, name); return Boolean(p && p.metadata!.uid !== old && isReady(p)); });
    replaced.set(k.kind, Date.now() - t);
  }

  // All 15 at once.
  const t0 = Date.now();
  for (const k of kinds) await apply(together, k.yaml);
  await until(() => ready(together, podNames));
  const allReady = Date.now() - t0;

  console.log(`\n${mode.summary}\n`);
  console.log('| kind | database created → each pod Ready (first start, 3 pods, one kind at a time) | pod deleted → replacement Ready | memory per pod: RSS (PSS), processes |');
  console.log('|---|---|---|---|');
  for (const k of kinds) {
    const mem = namesOf(k.db).map((n) => memory.get(n)!);
    console.log(`| ${k.kind} | ${namesOf(k.db).map((n) => `${firstStart.get(n)} ms`).join(', ')} | ${replaced.get(k.kind)} ms | ${mem.map((m) => `${mb(m.rssKb)} (${mb(m.pssKb)}), ${m.processes}`).join('; ')} |`);
  }
  const slowest = (k: (typeof kinds)[number]) => Math.max(...namesOf(k.db).map((n) => startToReady(together, n)));
  console.log(`\nall 15 pods created at once: all Ready in ${(allReady / 1000).toFixed(1)} s (slowest per kind: ${kinds.map((k) => `${k.kind} ${slowest(k)} ms`).join(', ')})`);
  console.log(`environment (every process, PSS): ${mb(baseline)} without databases, ${mb(withDatabases)} with a 3-pod database of each kind`);
  const serversPss = sum([...memory.values()].map((m) => m.pssKb));
  console.log(`of which the 15 pods' servers: ${mb(serversPss)} (PSS); the rest is Temporal, etcd, Kubernetes, kwok and the stand-ins`);
} finally {
  stop.abort();
  await watching;
  await deleteNamespace(alone);
  await deleteNamespace(together);
}
process.exit(0);
