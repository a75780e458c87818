// Executes any plan, one step at a time: each step kind has one way to run (its activities, under the
// request's per-step limit) and undo steps run the same way; the compensation stack is fed by each step's undo
// before the step runs. Nothing here knows database kinds or request variants: those are the planner's.
import type { ActivityOptions } from '@temporalio/workflow';
import type { IssuedCertificate } from '../activities/certificates.ts';
import type { Replacement } from '../activities/pods.ts';
import type { DatabaseRef, OpsRequestRef } from '../activities/refs.ts';
import type { Plan, ProxySQLPart, Step, StepKind, StepOf, UndoStep } from '../model/plan.ts';
import type { Progress } from './progress.ts';
import type { Dispatch } from './dispatch.ts';
import type { Compensations } from './saga.ts';
import type { StepRunner } from './steps.ts';

export interface CertificateOutcome extends IssuedCertificate {
  oldSerial?: string;
}

export interface Restart extends Replacement {
  previousUid: string;
}

/** What a run changed, for its result: names, serials and fingerprints only. */
export interface Outcome {
  certificates: CertificateOutcome[];
  restarts: Restart[];
}

// Undos run during compensation, outside any step's limit: retried until they land (404 and the like fail fast).
const undoOptions: ActivityOptions = {
  startToCloseTimeout: 60_000,
  retry: { initialInterval: 500, backoffCoefficient: 2, maximumInterval: 10_000, maximumAttempts: 10 },
};
const labelled = (summary: string) => ({ ...undoOptions, summary });

export class PlanExecution {
  readonly outcome: Outcome = { certificates: [], restarts: [] };
  /** The pods evicted so far (a pod evicted and not yet back is here, not among the outcome's restarts). */
  readonly evicted: string[] = [];
  private readonly ref: OpsRequestRef;
  private readonly db: DatabaseRef;
  private readonly steps: StepRunner;
  private readonly saga: Compensations;
  private readonly progress: Progress;
  private readonly dispatch: Dispatch;

  constructor(o: { ref: OpsRequestRef; db: DatabaseRef; steps: StepRunner; saga: Compensations; progress: Progress; dispatch: Dispatch }) {
    this.dispatch = o.dispatch;
    this.ref = o.ref;
    this.db = o.db;
    this.steps = o.steps;
    this.saga = o.saga;
    this.progress = o.progress;
  }

  async run(plan: Plan): Promise<Outcome> {
    for (const { step } of plan.steps) this.progress.set(step.label, 'pending');
    for (const { step, undo } of plan.steps) {
      if (undo) this.saga.push(undo.label, () => this.undo(undo), { always: undo.kind === 'resume' });
      await (this.runners[step.kind] as (s: Step) => Promise<unknown>)(step);
    }
    return this.outcome;
  }

  private readonly runners: { [K in StepKind]: (s: StepOf<K>) => Promise<unknown> } = {
    waitReady: (s) => this.steps.run(s, () => this.steps.call('waitDatabaseReady', `wait until ${this.db.name} is Ready`, this.db), () => `${this.db.name} is Ready`),
    pause: (s) => this.steps.run(s, () => this.steps.call('pauseDatabase', `pause ${this.db.name}`, this.db, this.ref), () => `${this.db.kind} ${this.db.name} is paused`),
    resume: (s) => this.steps.run(s, () => this.steps.call('resumeDatabase', `resume ${this.db.name}`, this.db), () => `${this.db.kind} ${this.db.name} is resumed`),
    setCertificates: (s) =>
      this.steps.run(s, () => this.steps.call('setCertificates', s.label.toLowerCase(), this.db, s.changes), (done) => done.join(', ')),
    issueCertificates: (s) => this.steps.run(s, () => this.issue(s), (issued) => issued.map((c) => `${c.name}: serial ${c.oldSerial ?? 'none'} → ${c.serial}`).join('; ')),
    checkCertificates: (s) =>
      this.steps.run(s, () => this.steps.call('checkCertificates', 'check the new certificates', this.db.namespace, s.secrets), (good) => `fit to serve: ${good.join(', ')}`),
    updateWorkload: (s) =>
      this.steps.run(s, () => this.steps.call('updateWorkload', `update ${s.workload.kind} ${s.workload.name}`, this.db, s.workload, s.tls, s.configHash), (r) => (r.changed ? `${s.workload.kind} ${s.workload.name} has the new pod template` : `${s.workload.kind} ${s.workload.name} already had it`)),
    updateConfig: (s) =>
      this.steps.run(s, () => this.steps.call('updateRenderedConfig', `update Secret ${s.secretName}`, this.db, s.secretName, s.tls), (r) => (r.changed ? `Secret ${s.secretName} updated` : `Secret ${s.secretName} already up to date`)),
    updateDatabase: (s) =>
      this.steps.run(s, () => this.steps.call('updateDatabaseSpec', `update the spec of ${this.db.name}`, this.db, s.patch), () => `${this.db.kind} ${this.db.name}: ${Object.keys(s.patch).map((f) => `spec.${f}`).join(', ')} updated`),
    restartPods: (s) => this.restartPods(s),
    reloadTLS: async (s) => {
      for (const { pod, role } of s.pods) {
        this.progress.set(`Reload ${pod}`, 'pending', role);
      }
      for (const { pod, role } of s.pods) {
        await this.steps.run({ condition: `ReloadTLS--${pod}`, label: `Reload ${pod}` }, () => this.steps.call('reloadTLS', `reload the certificates of ${pod}`, this.db, pod, s.how, s.verify), (m) => m);
        this.progress.set(`Reload ${pod}`, 'done', role);
      }
      this.steps.mark(s, `every pod serves its new certificate, none restarted: ${s.pods.map((p) => p.pod).join(', ')}`);
    },
    deleteCertificates: (s) =>
      this.steps.run(s, () => this.steps.call('deleteCertificates', 'delete the certificates', this.db.namespace, s.certificates), (gone) => `deleted ${gone.join(', ')} and their Secrets`),
    configureProxySQL: (s) => this.steps.run(s, () => this.steps.call('configureProxySQL', s.label.toLowerCase(), this.db, s.pod, s.part), (done) => done),
    revertProxySQL: (s) => this.steps.run(s, () => this.steps.call('revertProxySQL', s.label.toLowerCase(), this.db, s.pod, s.table), () => `${s.pod}: put back from disk`),
    createConfigSecret: (s) =>
      this.steps.run(s, () => this.steps.call('createConfigSecret', `write Secret ${s.secretName}`, this.db, this.ref, s.secretName, s.base, s.hash), (m) => m),
    deleteConfigSecret: (s) =>
      this.steps.run(s, () => this.steps.call('deleteConfigSecret', `delete Secret ${s.secretName}`, this.db, this.ref, s.secretName, s.hash), (m) => m),
    setCustomConfig: (s) =>
      this.steps.run(s, () => this.steps.call('setCustomConfig', `update ${s.workload.kind} ${s.workload.name}`, this.db, s.workload, s.secretName, s.hash), (r) => (r.changed ? `${s.workload.kind} ${s.workload.name} has the new pod template` : `${s.workload.kind} ${s.workload.name} already had it`)),
    renderPgpoolConfig: (s) =>
      this.steps.run(s, () => this.steps.call('renderPgpoolConfig', `render Secret ${s.secretName}`, this.db, s.secretName, s.custom, s.tls, s.hash), (r) => (r.changed ? `Secret ${s.secretName} rendered${s.custom ? ` with Secret ${s.custom}` : ' with the defaults'}` : `Secret ${s.secretName} already up to date`)),
    saveProxySQL: (s) => {
      // From here on the change stays: what is saved to disk is what a restarted pod loads.
      this.saga.commit();
      return this.steps.run(s, () => this.steps.call('saveProxySQL', 'save to disk', this.db, s.pods, s.tables), (pods) => `saved to disk on ${pods.join(', ')}`);
    },
  };

  /** Re-issue where asked (from revisions recorded first, so a retried trigger never issues twice), then wait for cert-manager. */
  private async issue(s: StepOf<'issueCertificates'>): Promise<CertificateOutcome[]> {
    const ns = this.db.namespace;
    const triggered = s.certificates.filter((c) => c.trigger).map((c) => c.name);
    const before = triggered.length ? await this.steps.call('readCertificateRevisions', 'read the certificates', ns, triggered) : [];
    await Promise.all(before.map((b) => this.steps.call('triggerReissue', `re-issue ${b.name}`, ns, b.name, b.revision)));
    const waits = s.certificates.map((c) => {
      const b = before.find((x) => x.name === c.name);
      return { name: c.name, afterRevision: b?.revision, oldSerial: b?.serial };
    });
    const issued = await this.steps.call('awaitCertificates', 'wait for cert-manager to issue', ns, waits);
    const outcome = issued.map((c) => ({ ...c, oldSerial: before.find((b) => b.name === c.name)?.serial }));
    this.outcome.certificates.push(...outcome);
    return outcome;
  }

  /** One pod at a time, chosen again before each; after the first eviction there is no going back. */
  private async restartPods(s: StepOf<'restartPods'>): Promise<void> {
    if (s.note) this.steps.mark({ condition: 'InPlaceRotation', label: 'Rotate in place' }, s.note, 'False');
    for (const p of s.expected) this.progress.set(`Restart ${p.pod}`, 'pending', p.role);
    const restarted: string[] = [];
    for (;;) {
      const next = await this.steps.timed(s, () => this.steps.call('nextPodToRestart', 'choose the next pod', this.db, s.certificates, restarted));
      if (!next) break;
      const pod = next.pod;
      const line = `Restart ${pod}`;
      this.progress.set(line, 'running', next.role);
      this.steps.mark({ condition: `GetPod--${pod}`, label: `Choose ${pod}` }, `${pod} (${next.why}) is next`);
      // Only when there is something to do: an await more or less moves when a queued status write is sent.
      if (s.adminBefore) await this.admin(pod, s.adminBefore, 'before its restart');
      await this.steps.run({ condition: `EvictPod--${pod}`, label: `Evict ${pod}` }, () => this.steps.call('evictPod', `evict ${pod}`, this.db.namespace, pod, next.uid), (e) => `${e.pod}: ${e.outcome}`);
      this.saga.commit();
      this.evicted.push(pod);
      restarted.push(pod);
      const back = await this.steps.run(
        { condition: `CheckPodRunning--${pod}`, label: `Wait for ${pod} to be Ready` },
        () => this.steps.call('waitPodReplaced', `wait for ${pod} to come back Ready`, this.db.namespace, pod, next.uid),
        (r) => `${r.pod} is Ready (new uid ${r.uid})`,
      );
      this.outcome.restarts.push({ ...back, previousUid: next.uid });
      if (s.adminAfter) await this.admin(pod, s.adminAfter, 'after its restart');
      const check = s.verify;
      if (check) await this.steps.run({ condition: `VerifyTLS--${pod}`, label: `Check what ${pod} serves` }, () => this.steps.call('verifyServing', `check what ${pod} serves`, this.db, pod, check), (m) => m);
      this.progress.set(line, 'done', next.role);
    }
    const pods = this.outcome.restarts.map((r) => r.pod);
    this.steps.mark(s, pods.length ? `${pods.length} pods restarted one at a time: ${pods.join(', ')}` : 'every pod already ran the new configuration');
  }

  /** Admin changes on one pod around its restart (ProxySQL's TLS switch), each saved to disk at once. */
  private async admin(pod: string, parts: ProxySQLPart[], when: string): Promise<void> {
    for (const part of parts) {
      await this.steps.run(
        { condition: `AdminChange--${pod}`, label: `Set ${'values' in part ? Object.keys(part.values).join(', ') : part.table} on ${pod} ${when}` },
        async () => {
          const done = await this.steps.call('configureProxySQL', `change ${part.table} of ${pod}`, this.db, pod, part);
          await this.steps.call('saveProxySQL', `save ${part.table} of ${pod}`, this.db, [pod], [part.table]);
          return done;
        },
        (m) => `${m}, saved`,
      );
    }
  }

  /** The undo steps: the same activities, retried until they land. */
  private undo(step: UndoStep): Promise<unknown> {
    const db = this.db;
    switch (step.kind) {
      case 'resume':
        return this.dispatch.call('resumeDatabase', labelled(`resume ${db.name}`), db);
      case 'setCertificates':
        return this.dispatch.call('setCertificates', labelled('put the certificates back'), db, step.changes);
      case 'updateWorkload':
        return this.dispatch.call('updateWorkload', labelled(`put ${step.workload.kind} ${step.workload.name} back`), db, step.workload, step.tls, step.configHash);
      case 'updateConfig':
        return this.dispatch.call('updateRenderedConfig', labelled(`put Secret ${step.secretName} back`), db, step.secretName, step.tls);
      case 'updateDatabase':
        return this.dispatch.call('updateDatabaseSpec', labelled(`put the spec of ${db.name} back`), db, step.patch);
      case 'revertProxySQL':
        return this.dispatch.call('revertProxySQL', labelled(step.label.toLowerCase()), db, step.pod, step.table);
      case 'deleteConfigSecret':
        return this.dispatch.call('deleteConfigSecret', labelled(`delete Secret ${step.secretName}`), db, this.ref, step.secretName, step.hash);
      case 'setCustomConfig':
        return this.dispatch.call('setCustomConfig', labelled(`put ${step.workload.kind} ${step.workload.name} back`), db, step.workload, step.secretName, step.hash);
      case 'renderPgpoolConfig':
        return this.dispatch.call('renderPgpoolConfig', labelled(`put Secret ${step.secretName} back`), db, step.secretName, step.custom, step.tls, step.hash);
    }
  }
}
