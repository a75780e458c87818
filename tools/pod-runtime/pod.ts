// One pod (one UID), as a kubelet runs it: its volumes first (a pod whose Secret is missing waits, its
// containers shown ContainerCreating with the mount error), then its containers; the Secrets its volumes
// read are refreshed in place when they change; its hosts file follows the cluster's endpoints; its status
// is written from its containers' reports. Terminating stops the containers and removes the pod's own files
// (its Secrets' copies among them), keeping the logs and the data directory.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import type { V1Container, V1Pod, V1Secret } from '@kubernetes/client-node';
import { isConflict, isNotFound, mergePatch, statusCode, type Kube } from '../../platform/kube.ts';
import type { Logger } from '../../platform/logger.ts';
import { writeAtomically } from './atomic-writer.ts';
import { ContainerRunner } from './container.ts';
import { PodPaths } from './layout.ts';
import { podStatusPatch } from './pod-status.ts';
import type { Programs } from './programs.ts';
import type { Mount } from './sandbox.ts';
import { MountError, prepareVolumes, secretsOfVolumes, type PreparedVolume } from './volumes.ts';
import { Wakeup } from './wakeup.ts';
import { secretsOfEnv } from './container-env.ts';

export interface RuntimeContext {
  kube: Kube;
  log: Logger;
  root: string;
  programs: Programs;
  repoRoot: string;
  templates: string;
  secret(namespace: string, name: string): V1Secret | undefined;
}

const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

/** How soon a pod status that could not be written is tried again. */
const statusRetryMs = 500;

export class PodRunner {
  readonly paths: PodPaths;
  readonly containers: ContainerRunner[];
  #pod: V1Pod;
  #volumes?: PreparedVolume[];
  #stopping = false;
  #wakeup = new Wakeup();
  #done?: Promise<void>;
  #hosts = '';
  #lastWritten = '';
  #writing: Promise<void> = Promise.resolve();
  #refreshing: Promise<void> = Promise.resolve();
  #hostsWritten: Promise<void> = Promise.resolve();
  #writeQueued = false;

  private readonly rt: RuntimeContext;

  constructor(pod: V1Pod, rt: RuntimeContext) {
    this.rt = rt;
    this.#pod = pod;
    const { namespace, name, uid } = pod.metadata as { namespace: string; name: string; uid: string };
    const owner = pod.metadata?.ownerReferences?.find((o) => o.controller)?.uid ?? 'no-controller';
    this.paths = new PodPaths(rt.root, namespace, name, uid, owner);
    const ctx = {
      pod: () => this.#pod,
      paths: this.paths,
      programs: rt.programs,
      repoRoot: rt.repoRoot,
      templates: rt.templates,
      secret: (n: string) => rt.secret(namespace, n),
      volumeMounts: (c: V1Container) => this.#volumeMounts(c),
      changed: () => this.#report(),
    };
    this.containers = (pod.spec?.containers ?? []).map((c) => new ContainerRunner(c, ctx));
  }

  get pod(): V1Pod {
    return this.#pod;
  }
  get key(): string {
    return `${this.#pod.metadata!.namespace}/${this.#pod.metadata!.name}`;
  }
  get terminating(): boolean {
    return this.#stopping;
  }

  update(pod: V1Pod): void {
    this.#pod = pod;
  }

  start(hosts: string): void {
    this.#hosts = hosts;
    this.#done = this.#run().catch((err) => this.rt.log.error({ pod: this.key, err: (err as Error).message }, 'pod runtime failed for this pod'));
  }

  async #run(): Promise<void> {
    await mkdir(this.paths.run, { recursive: true });
    await writeFile(this.paths.hosts(), this.#hosts, { mode: 0o644 });
    while (!this.#stopping) {
      try {
        // Through the same queue as the refreshes: one writer per volume folder at a time.
        await this.#volumeWork(async () => {
          const volumes = prepareVolumes(this.#pod, (n) => this.rt.secret(this.#pod.metadata!.namespace!, n));
          await this.#materialise(volumes);
          this.#volumes = volumes;
        });
        break;
      } catch (err) {
        if (!(err instanceof MountError)) this.rt.log.warn({ pod: this.key, err: (err as Error).message }, 'could not set up volumes; trying again');
        for (const c of this.containers) c.waiting('ContainerCreating', (err as Error).message);
        await this.#wakeup.wait(5000);
      }
    }
    if (this.#stopping) return;
    this.rt.log.info({ pod: this.key, uid: this.#pod.metadata!.uid, ip: this.#pod.status?.podIP }, 'starting containers');
    await Promise.all(this.containers.map((c) => c.run()));
  }

  async #materialise(volumes: PreparedVolume[]): Promise<void> {
    for (const v of volumes) {
      if (v.kind === 'payload') await writeAtomically(this.paths.volume(v.name), v.payload);
      else await mkdir(v.kind === 'emptyDir' ? this.paths.emptyDir(v.name) : this.paths.claim(v.claimName), { recursive: true, mode: 0o777 });
    }
  }

  #volumeMounts(container: V1Container): Mount[] {
    const volumes = this.#volumes ?? [];
    return (container.volumeMounts ?? []).map((m) => {
      const v = volumes.find((x) => x.name === m.name);
      if (!v) throw new Error(`volumeMount ${m.name}: no such volume in the pod`);
      const base = v.kind === 'payload' ? this.paths.volume(v.name) : v.kind === 'emptyDir' ? this.paths.emptyDir(v.name) : this.paths.claim(v.claimName);
      return { source: m.subPath ? `${base}/${m.subPath}` : base, target: m.mountPath, readOnly: Boolean(m.readOnly) };
    });
  }

  /** Whether the pod reads Secret `name` (volumes or environment). */
  uses(name: string): boolean {
    return secretsOfVolumes(this.#pod).includes(name) || (this.#pod.spec?.containers ?? []).some((c) => secretsOfEnv(c).includes(name));
  }

  /**
   * Secrets changed: a waiting pod tries its volumes again; mounted Secrets are refreshed in place, one
   * refresh at a time (two writers of one volume would race over its ..data link).
   */
  secretsChanged(): Promise<void> {
    this.#wakeup.poke();
    for (const c of this.containers) c.secretsChanged();
    return this.#volumeWork(() => this.#refresh()).catch((err) => this.rt.log.warn({ pod: this.key, err: (err as Error).message }, 'could not refresh volumes'));
  }

  /** Runs `work` after every volume write queued before it. */
  #volumeWork(work: () => Promise<void>): Promise<void> {
    const run = this.#refreshing.then(work);
    this.#refreshing = run.catch(() => {});
    return run;
  }

  async #refresh(): Promise<void> {
    if (!this.#volumes || this.#stopping) return;
    try {
      const fresh = prepareVolumes(this.#pod, (n) => this.rt.secret(this.#pod.metadata!.namespace!, n));
      for (const v of fresh) {
        if (v.kind === 'payload' && (await writeAtomically(this.paths.volume(v.name), v.payload))) {
          this.rt.log.info({ pod: this.key, volume: v.name }, 'volume refreshed');
        }
      }
    } catch (err) {
      // A Secret deleted while mounted: the kubelet keeps the files it has.
      if (!(err instanceof MountError)) throw err;
    }
  }

  writeHosts(content: string): Promise<void> {
    if (content === this.#hosts || this.#stopping) return this.#hostsWritten;
    this.#hosts = content;
    // In place (same inode): the file is bind-mounted, and a rename would leave the mount on the old file.
    // One write at a time, the newest content last.
    this.#hostsWritten = this.#hostsWritten.then(() => (this.#hosts === content ? writeFile(this.paths.hosts(), content) : undefined)).catch(() => {});
    return this.#hostsWritten;
  }

  /** Stops the containers (their stop signal, SIGKILL after `graceMs`) and removes the pod's own files. */
  async terminate(graceMs: number): Promise<void> {
    if (this.#stopping) return this.#done;
    this.#stopping = true;
    this.#wakeup.poke();
    await Promise.all(this.containers.map((c) => c.stop(graceMs)));
    await this.#done;
    await this.#writing;
    await this.#refreshing;
    await rm(this.paths.run, { recursive: true, force: true });
  }

  /** Writes the pod's status from its containers' reports (coalesced; never over a newer pod of that name). */
  #report(): void {
    if (this.#writeQueued) return;
    this.#writeQueued = true;
    this.#writing = this.#writing.then(async () => {
      this.#writeQueued = false;
      const patch = podStatusPatch(this.#pod, this.containers.map((c) => c.report), now());
      const text = JSON.stringify(patch, (k, v) => (k === 'lastTransitionTime' ? undefined : v));
      if (text === this.#lastWritten) return;
      try {
        const { namespace, name, uid } = this.#pod.metadata!;
        // metadata.uid in the patch: applied to another pod of the same name, it fails (uid is immutable).
        this.#pod = await this.rt.kube.core.patchNamespacedPodStatus({ namespace: namespace!, name: name!, body: { metadata: { uid }, status: patch } }, mergePatch);
        this.#lastWritten = text;
      } catch (err) {
        if (isNotFound(err) || isConflict(err) || statusCode(err) === 422) return; // the pod is gone, or another one has its name
        // The API server away (restarting): try again, as the kubelet keeps syncing a pod's status.
        this.rt.log.warn({ pod: this.key, err: (err as Error).message }, 'could not write pod status; trying again');
        setTimeout(() => {
          if (!this.#stopping) this.#report();
        }, statusRetryMs).unref();
      }
    }).catch((err) => this.rt.log.error({ pod: this.key, err: (err as Error).message }, 'pod status not written'));
  }
}
