// `npm run bench:issuance [-- <sequential> <fleet>]`: how fast the local environment's cert-manager issues.
// 1. One at a time (default 20): each Certificate created, then watched until Ready; the time per certificate.
// 2. A fleet at once (default 100): all created together; the time until every one is Ready, as issuances per
//    second, and each one's time from creation to Ready.
// All from the CA Issuer of deploy/examples/mysql-tls, in a namespace of its own; also prints the memory (RSS) of
// cert-manager's controller and webhook before and after.
import { readFile } from 'node:fs/promises';
import { observe } from '../../platform/watch.ts';
import { environmentPids, up } from '../localenv/lifecycle.ts';

const [sequential = 20, fleet = 100] = process.argv.slice(2).map(Number);
await up(() => {});
const { conditionOf, createNamespace, deleteNamespace, kube } = await import('../../test/helpers/cluster.ts');
const { createCAIssuer, issuerName } = await import('../../test/helpers/fixtures.ts');

async function memory(): Promise<string> {
  const pids = environmentPids();
  const out: string[] = [];
  for (const name of ['cert-manager-controller', 'cert-manager-webhook']) {
    const status = await readFile(`/proc/${pids[name]}/status`, 'utf8').catch(() => '');
    const kb = (field: string) => Number(status.match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'))?.[1] ?? 0);
    out.push(`${name} RSS ${(kb('VmRSS') / 1024).toFixed(0)} MB (peak ${(kb('VmHWM') / 1024).toFixed(0)} MB)`);
  }
  return out.join(', ');
}

const ns = await createNamespace('bench-issuance');
// When each Certificate was first seen Ready at revision 1, from one watch over the namespace.
const readyAt = new Map<string, number>();
const waiting = new Map<string, () => void>();
const stop = new AbortController();
const watching = observe<any>(kube, { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', plural: 'certificates', namespace: ns }, {}, ({ objects }) => {
  for (const c of objects.values()) {
    const name = c.metadata.name;
    if (readyAt.has(name) || c.status?.revision !== 1 || conditionOf(c, 'Ready')?.status !== 'True') continue;
    readyAt.set(name, performance.now());
    waiting.get(name)?.();
  }
}, stop.signal);
const ready = (name: string) => (readyAt.has(name) ? Promise.resolve() : new Promise<void>((resolve) => waiting.set(name, resolve)));

const create = (name: string) =>
  kube.objects.create({
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: { name, namespace: ns },
    spec: { secretName: `${name}-tls`, commonName: `${name}.example.com`, dnsNames: [`${name}.example.com`], issuerRef: { name: issuerName, kind: 'Issuer', group: 'cert-manager.io' } },
  } as any);

const stats = (ms: number[]) => {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return `median ${at(0.5).toFixed(0)} ms, p90 ${at(0.9).toFixed(0)} ms, min ${s[0]!.toFixed(0)} ms, max ${s.at(-1)!.toFixed(0)} ms`;
};

console.log(`before: ${await memory()}`);
await createCAIssuer(ns);
await ready('mysql-ca');

const one: number[] = [];
for (let i = 0; i < sequential; i++) {
  const name = `one-${i}`;
  const t0 = performance.now();
  await create(name);
  await ready(name);
  one.push(readyAt.get(name)! - t0);
}
console.log(`${sequential} Certificates one at a time, created → Ready: ${stats(one)}`);

const names = Array.from({ length: fleet }, (_, i) => `fleet-${i}`);
const created = new Map<string, number>();
const t0 = performance.now();
await Promise.all(names.map(async (name) => {
  const start = performance.now();
  await create(name);
  created.set(name, start);
}));
const createdAll = performance.now() - t0;
await Promise.all(names.map(ready));
const total = Math.max(...names.map((n) => readyAt.get(n)!)) - t0;
console.log(
  `${fleet} Certificates created at once (creates took ${createdAll.toFixed(0)} ms): all Ready after ${(total / 1000).toFixed(2)} s = ` +
    `${(fleet / (total / 1000)).toFixed(1)} issuances/s; each created → Ready: ${stats(names.map((n) => readyAt.get(n)! - created.get(n)!))}`,
);
console.log(`after: ${await memory()}`);

stop.abort();
await watching;
await deleteNamespace(ns);
process.exit(0);
