// Records what happens to a namespace's pods (watching), so a test can say which pods restarted, in which
// order, how often, and whether two were ever down at once.
import type { V1Pod } from '@kubernetes/client-node';
import { pods } from '../../platform/kube.ts';
import { observe } from '../../platform/watch.ts';
import { kube } from './cluster.ts';

interface Sample {
  pod: string;
  uid: string;
  ready: boolean;
  gone: boolean;
  role?: string;
}

const isReady = (p: V1Pod) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

export class PodTimeline {
  readonly samples: Sample[] = [];
  private readonly stop = new AbortController();
  private readonly initial = new Map<string, string>();
  private readonly done: Promise<void>;
  maxDownAtOnce = 0;

  private constructor(namespace: string, labelSelector: string | undefined, onSynced: () => void) {
    // Readiness of every pod name right now; a deleted pod counts as down until its replacement is Ready.
    const ready = new Map<string, boolean>();
    const record = (p: V1Pod, deleted: boolean) => {
      const sample: Sample = {
        pod: p.metadata!.name!,
        uid: p.metadata!.uid!,
        ready: !deleted && isReady(p) && !p.metadata?.deletionTimestamp,
        gone: deleted || Boolean(p.metadata?.deletionTimestamp),
        role: p.metadata?.labels?.['kubedb.com/role'],
      };
      this.samples.push(sample);
      ready.set(sample.pod, sample.ready);
      this.maxDownAtOnce = Math.max(this.maxDownAtOnce, [...ready.values()].filter((r) => !r).length);
    };
    this.done = observe<V1Pod>(
      kube,
      pods(namespace),
      { labelSelector },
      ({ type, object, objects }) => {
        if (type === 'SYNC' && this.initial.size === 0) {
          for (const p of objects.values()) {
            this.initial.set(p.metadata!.name!, p.metadata!.uid!);
            ready.set(p.metadata!.name!, isReady(p));
          }
          onSynced();
          return;
        }
        // A re-list after a watch break: what changed meanwhile arrives as the objects' current state.
        for (const p of type === 'SYNC' ? objects.values() : [object!]) record(p, type === 'DELETED');
      },
      this.stop.signal,
    );
  }

  /** Starts recording the pods of `namespace` (those matching `labelSelector`, when given). */
  static start(namespace: string, labelSelector?: string): Promise<PodTimeline> {
    return new Promise((resolve) => {
      const t: PodTimeline = new PodTimeline(namespace, labelSelector, () => resolve(t));
    });
  }

  /** The distinct UIDs each pod had, first to last (including the one it had at the start). */
  uidsByPod(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const [pod, uid] of this.initial) out.set(pod, [uid]);
    for (const s of this.samples) {
      const list = out.get(s.pod) ?? [];
      if (list.at(-1) !== s.uid) list.push(s.uid);
      out.set(s.pod, list);
    }
    return out;
  }

  /** Pods in the order their original incarnation went away. */
  restartOrder(): string[] {
    const order: string[] = [];
    for (const s of this.samples) {
      if (s.gone && s.uid === this.initial.get(s.pod) && !order.includes(s.pod)) order.push(s.pod);
    }
    return order;
  }

  async close(): Promise<void> {
    this.stop.abort();
    await this.done;
  }
}
