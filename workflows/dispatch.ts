// How a run calls its activities. A regular activity is a task the server dispatches to some worker, and that
// costs 70–100 ms on a dev server; a short call that needs no heartbeat (a read, a status write, a patch of one
// object) runs as a local activity instead, in the worker that runs the workflow, for a few ms. A worker lost in
// the middle of a local activity is noticed by the workflow task's own timeout, and the next worker runs it
// again from its first attempt, so a lost worker uses up none of the step's retries. The waits (they may take
// minutes, and heartbeat while they watch) stay regular activities with a heartbeat timeout; one whose worker
// was lost is scheduled again within its step's limit, even when no retry is left. So are the reads a run
// decides from (the plan, the revisions a re-issue starts from): their results must be in the history before
// the run acts on them, and a local activity's result is kept only once its workflow task completes; a lost
// worker's re-run would read the world as the run had changed it since (and re-issue a certificate twice).
// Local activities must not overlap where the order they end in decides what is called next: on replay they
// are resolved in the order they were called, not the order they ended in, and the commands that follow would
// differ. So each call first waits for the status writes queued so far (`settle`): one call at a time, and
// the calls a step makes at once (re-issuing several certificates) are awaited together.
// The write that ends a run (its phase, which the next request for the database waits for) is a regular
// activity: its workflow task must complete to schedule it, so everything the run did is in the history before
// anyone sees the run end. Were it local, a worker lost just after it would leave that task to run again,
// calls and all, while the next request already goes on (a remove's deletions would meet a new add's Secrets).
// Runs that began before this (their histories have no marker) keep calling everything as regular activities.
import {
  ActivityFailure,
  patched,
  proxyActivities,
  proxyLocalActivities,
  TimeoutFailure,
  type ActivityOptions,
  type LocalActivityOptions,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';

/** The activities that wait, watching, and the reads a run decides from: regular activities, each heartbeating. */
export const heartbeating = new Set<keyof Activities>([
  'waitDatabaseReady',
  'awaitCertificates',
  'nextPodToRestart',
  'evictPod',
  'waitPodReplaced',
  'reloadTLS',
  'awaitTurn',
  'planOperation',
  'readCertificateRevisions',
]);

export const localShortCalls = 'local-short-calls';
export const endRecordedFirst = 'end-recorded-first';

const workerLost = (err: unknown) => err instanceof ActivityFailure && err.cause instanceof TimeoutFailure && err.cause.timeoutType === 'HEARTBEAT';

type Call<K extends keyof Activities> = ReturnType<Activities[K]>;

export class Dispatch {
  /** Whether this run calls short activities locally (false for runs recorded before that, on replay). */
  readonly local: boolean;

  private settle: () => Promise<unknown> = () => Promise.resolve();

  constructor() {
    this.local = patched(localShortCalls);
  }

  /** What every call but a status write waits for first: the status writes queued so far. */
  settleFirst(settle: () => Promise<unknown>): void {
    this.settle = settle;
  }

  /** Calls activity `name` with `options` (its heartbeat timeout only applies to the waits). */
  call<K extends keyof Activities & string>(name: K, options: ActivityOptions, ...args: Parameters<Activities[K]>): Promise<Awaited<Call<K>>> {
    // The promise is returned as made (no await in between): when a call is scheduled decides the order of commands.
    if (!this.local) return regular(name, options, args);
    if (name === 'recordStatus') return local(name, options, args);
    return this.settle().then(() => (heartbeating.has(name) ? untilNotLost(name, options, args) : local(name, options, args)));
  }

  /** Calls the activity that ends the run: once everything before it is in the history (see above). */
  callLast<K extends keyof Activities & string>(name: K, options: ActivityOptions, ...args: Parameters<Activities[K]>): Promise<Awaited<Call<K>>> {
    if (!this.local || !patched(endRecordedFirst)) return this.call(name, options, ...args);
    return this.settle().then(() => regular(name, options, args));
  }
}

function local<K extends keyof Activities & string>(name: K, options: ActivityOptions, args: unknown[]): Promise<Awaited<Call<K>>> {
  const { startToCloseTimeout, retry, summary, cancellationType } = options;
  const o: LocalActivityOptions = { startToCloseTimeout, retry, summary, cancellationType };
  const proxy = proxyLocalActivities<Activities>(o)[name] as unknown as { executeWithOptions(o: LocalActivityOptions, a: unknown[]): Promise<Awaited<Call<K>>> };
  return proxy.executeWithOptions(o, args);
}

async function untilNotLost<K extends keyof Activities & string>(name: K, options: ActivityOptions, args: unknown[]): Promise<Awaited<Call<K>>> {
  for (;;) {
    try {
      return await regular(name, options, args);
    } catch (err) {
      if (!workerLost(err)) throw err;
    }
  }
}

function regular<K extends keyof Activities & string>(name: K, options: ActivityOptions, args: unknown[]): Promise<Awaited<Call<K>>> {
  const proxy = proxyActivities<Activities>(options)[name] as unknown as { executeWithOptions(o: ActivityOptions, a: unknown[]): Promise<Awaited<Call<K>>> };
  return proxy.executeWithOptions(options, args);
}
