// Records what happens to a namespace's cert-manager Certificates (watching): the revision each had at the
// start, each issuance as it starts (Issuing turning True, with the reason its starter gave) and each spec
// generation, so a test can tell the issuances opsflow asked for (reason ManuallyTriggered, or a spec it wrote)
// from those cert-manager started on its own, and check that every new revision had one.
import { observe } from '../../platform/watch.ts';
import type { Certificate } from '../../model/types.ts';
import { kube } from './cluster.ts';

interface History {
  /** status.revision when recording began (0 for a Certificate made since). */
  startRevision: number;
  /** The reason of each issuance seen starting (one already under way at the start included). */
  issuances: string[];
  generations: Set<number>;
  issuing: boolean;
}

const issuingReason = (c: Certificate) => {
  const cond = c.status?.conditions?.find((x) => x.type === 'Issuing');
  return cond?.status === 'True' ? (cond.reason ?? '') : undefined;
};

export class CertificateTimeline {
  private readonly byName = new Map<string, History>();
  private readonly stop = new AbortController();
  private readonly done: Promise<void>;

  private constructor(namespace: string, onSynced: () => void) {
    let synced = false;
    const record = (c: Certificate) => {
      const name = c.metadata.name!;
      const h = this.byName.get(name) ?? { startRevision: synced ? 0 : (c.status?.revision ?? 0), issuances: [], generations: new Set<number>(), issuing: false };
      this.byName.set(name, h);
      h.generations.add(c.metadata.generation ?? 0);
      const reason = issuingReason(c);
      if (reason !== undefined && !h.issuing) h.issuances.push(synced ? reason : `already issuing (${reason})`);
      h.issuing = reason !== undefined;
    };
    this.done = observe<Certificate>(
      kube,
      { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', plural: 'certificates', namespace },
      {},
      ({ type, object, objects }) => {
        // A re-list after a watch break: what changed meanwhile arrives as the objects' current state.
        if (type === 'SYNC') for (const c of objects.values()) record(c);
        else if (type !== 'DELETED') record(object!);
        if (!synced) {
          synced = true;
          onSynced();
        }
      },
      this.stop.signal,
    );
  }

  /** Starts recording the Certificates of `namespace`. */
  static start(namespace: string): Promise<CertificateTimeline> {
    return new Promise((resolve) => {
      const t: CertificateTimeline = new CertificateTimeline(namespace, () => resolve(t));
    });
  }

  /** The revision `name` had when recording began (0 when it did not exist then). */
  startRevision(name: string): number {
    return this.byName.get(name)?.startRevision ?? 0;
  }

  /** The reasons of the issuances of `name` seen starting, first to last. */
  issuances(name: string): string[] {
    return this.byName.get(name)?.issuances ?? [];
  }

  /** The spec generations `name` was seen at. */
  generations(name: string): number[] {
    return [...(this.byName.get(name)?.generations ?? [])];
  }

  async close(): Promise<void> {
    this.stop.abort();
    await this.done;
  }
}
