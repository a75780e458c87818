// The pod runtime: a kubelet and container runtime for the pods of the simulated nodes that KubeDB's
// provisioner made for kinds with a real server here (served.ts). kwok (with the runtime's own stage) makes
// such a pod Running with a loopback pod IP but not Ready; from there the runtime runs it (pod.ts,
// container.ts): volumes, a server per container in a mount namespace of its own, readiness from the
// server, restarts with back-off. Deleting a pod stops its servers (stop signal, SIGKILL after the grace
// period) and then finishes the deletion the kubelet's way: grace period 0 with the pod's UID as
// precondition, so a replacement of the same name is never deleted by mistake. Live views (list + watch)
// of pods, Secrets, Services, nodes and namespaces drive it; nothing polls the API.
import { realpathSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import type { V1Namespace, V1Node, V1Pod, V1Secret, V1Service } from '@kubernetes/client-node';
import { apiMessage, pods, type Collection, type Kube } from '../../platform/kube.ts';
import type { Logger } from '../../platform/logger.ts';
import { observe } from '../../platform/watch.ts';
import { repoRoot, stateDir } from '../localenv/paths.ts';
import { podDeleter } from '../pod-finalizer/delete-pod.ts';
import { hostsFile } from './hosts.ts';
import { namespaceData, pidsDir, templatesDir } from './layout.ts';
import { readMode, runtimeDir } from './mode.ts';
import { PodRunner } from './pod.ts';
import { killRecorded } from './process-record.ts';
import { isServed, simulatedNodeAnnotation } from './served.ts';

const collection = (kind: string, plural: string): Collection => ({ apiVersion: 'v1', kind, plural });
/** The kubelet's default when a pod names none (spec.terminationGracePeriodSeconds). */
const defaultGraceSeconds = 30;
/** A pod that vanished from the API without a graceful deletion (force-deleted): stopped briskly. */
const vanishedGraceMs = 2000;
/** Stopping the environment: the stand-ins process is SIGKILLed 5 s after SIGTERM, so stop servers sooner. */
const shutdownGraceMs = 3000;

export async function runPodRuntime(kube: Kube, signal: AbortSignal, log: Logger): Promise<void> {
  // By its real path: the servers' users cannot pass through the checkout where the pods' folder lies outside it.
  const root = realpathSync(runtimeDir(stateDir));
  const mode = readMode(stateDir);
  if (!mode?.enabled) throw new Error(`the pod runtime is not enabled for this environment (${mode?.summary ?? 'no mode recorded'})`);
  const leftover = killRecorded(pidsDir(root));
  await mkdir(pidsDir(root), { recursive: true });
  if (leftover) log.warn({ servers: leftover }, 'stopped servers an earlier runtime left running');

  let podsView = new Map<string, V1Pod>();
  let secretsView = new Map<string, V1Secret>();
  let servicesView = new Map<string, V1Service>();
  const simulated = new Set<string>();
  const runners = new Map<string, PodRunner>(); // by pod UID

  const rt = {
    kube,
    log,
    root,
    programs: mode.programs,
    repoRoot,
    templates: templatesDir(root),
    secret: (namespace: string, name: string) => secretsView.get(`${namespace}/${name}`),
  };

  const hostsOf = (pod: V1Pod) => hostsFile(pod, servicesView.values(), podsView.values());
  let hostsTimer: NodeJS.Timeout | undefined;
  /** Endpoints changed: every running pod's hosts file follows (coalesced over a short while). */
  const refreshHosts = () => {
    clearTimeout(hostsTimer);
    hostsTimer = setTimeout(() => {
      for (const r of runners.values()) void r.writeHosts(hostsOf(r.pod));
    }, 50);
  };

  const finalize = podDeleter(kube, log);

  function stop(runner: PodRunner, graceMs: number, thenDelete?: V1Pod): void {
    if (runner.terminating) return;
    const uid = runner.pod.metadata!.uid!;
    runner
      .terminate(graceMs)
      .then(async () => {
        runners.delete(uid);
        log.info({ pod: runner.key, uid }, 'servers stopped');
        if (thenDelete && !signal.aborted) await finalize(thenDelete);
      })
      .catch((err) => log.error({ pod: runner.key, uid, err: (err as Error).message }, 'could not stop the pod'));
  }

  function reconcile(pod: V1Pod): void {
    if (signal.aborted || !isServed(pod, simulated)) return;
    const uid = pod.metadata!.uid!;
    const runner = runners.get(uid);
    if (pod.metadata?.deletionTimestamp) {
      const grace = pod.metadata.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? defaultGraceSeconds;
      if (runner) {
        runner.update(pod);
        stop(runner, grace * 1000, pod);
      } else {
        void finalize(pod); // nothing runs for it (deleted before it got its IP, or before this runtime started)
      }
      return;
    }
    if (runner) return runner.update(pod);
    if (!pod.status?.podIP) return; // kwok's stage gives it one; then it is ours to run
    const fresh = new PodRunner(pod, rt);
    runners.set(uid, fresh);
    fresh.start(hostsOf(pod));
  }

  const onError = (what: string) => (err: unknown) => log.warn({ err: apiMessage(err) }, `watch of ${what} failed; re-listing`);
  signal.addEventListener('abort', () => clearTimeout(hostsTimer), { once: true });

  log.info({ summary: mode.summary, state: root }, 'pod runtime started');
  await Promise.all([
    observe<V1Node>(kube, collection('Node', 'nodes'), {}, ({ objects }) => {
      simulated.clear();
      for (const n of objects.values()) if (n.metadata?.annotations?.[simulatedNodeAnnotation]) simulated.add(n.metadata.name!);
      for (const p of podsView.values()) reconcile(p);
    }, signal, onError('nodes')),
    observe<V1Secret>(kube, collection('Secret', 'secrets'), {}, ({ objects, type, object }) => {
      secretsView = objects;
      const changed = type === 'SYNC' ? undefined : object!.metadata;
      for (const r of runners.values()) {
        if (!changed || (r.pod.metadata!.namespace === changed.namespace && r.uses(changed.name!))) void r.secretsChanged();
      }
    }, signal, onError('secrets')),
    observe<V1Service>(kube, collection('Service', 'services'), {}, ({ objects }) => {
      servicesView = objects;
      refreshHosts();
    }, signal, onError('services')),
    observe<V1Pod>(kube, pods(), {}, ({ objects, type, object }) => {
      podsView = objects;
      if (type === 'DELETED') {
        const runner = runners.get(object!.metadata!.uid!);
        if (runner) stop(runner, vanishedGraceMs);
      } else if (type === 'SYNC') {
        const uids = new Set([...objects.values()].map((p) => p.metadata!.uid!));
        for (const [uid, r] of runners) if (!uids.has(uid)) stop(r, vanishedGraceMs);
        for (const p of objects.values()) reconcile(p);
      } else {
        reconcile(object!);
      }
      refreshHosts();
    }, signal, onError('pods')),
    observe<V1Namespace>(kube, collection('Namespace', 'namespaces'), {}, async ({ type, object }) => {
      if (type !== 'DELETED') return;
      // Nothing can use a deleted namespace's data directories again (its pods are gone with it).
      const ns = object!.metadata!.name!;
      await Promise.all([...runners.values()].filter((r) => r.pod.metadata!.namespace === ns).map((r) => r.terminate(vanishedGraceMs)));
      for (const dir of namespaceData(root, ns)) await rm(dir, { recursive: true, force: true });
    }, signal, onError('namespaces')),
  ]);
  // Stopped (env:down, a restart): the servers go with the runtime; the pods stay, for the next one to run.
  await Promise.all([...runners.values()].map((r) => r.terminate(shutdownGraceMs)));
}
