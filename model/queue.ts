// Whose turn it is among the OpsRequests of one database (KubeDB's rule): at most one is Progressing; the
// others wait as Pending, oldest first; of several waiting requests of the same type only the newest admitted
// one runs, the older ones are Skipped. A pure function of the requests as listed, so every run computes the same answer
// and no lock is needed (none can be left behind by a run that was terminated).
import type { OpsPhase } from './types.ts';

export interface QueuedRequest {
  name: string;
  type: string;
  phase?: OpsPhase;
  /** RFC 3339 creation time; ties are broken by name. */
  created: string;
}

export type Turn =
  | { action: 'run' }
  | { action: 'wait'; behind: string }
  | { action: 'skip'; supersededBy: string };

const finished = new Set<OpsPhase | undefined>(['Successful', 'Failed', 'Skipped']);
const byAge = (a: QueuedRequest, b: QueuedRequest) => a.created.localeCompare(b.created) || a.name.localeCompare(b.name);

/** The turn of request `me` among `requests` (the OpsRequests naming the same database, `me` included). */
export function turnOf(me: string, requests: QueuedRequest[]): Turn {
  const self = requests.find((r) => r.name === me);
  if (!self) throw new Error(`${me} is not among the requests`);
  if (self.phase === 'Progressing') return { action: 'run' }; // it had its turn (a retried run goes on)
  const open = requests.filter((r) => !finished.has(r.phase)).sort(byAge);
  // Only an admitted request may supersede: one not yet through admission may still be refused, and then
  // nothing would run. A run marks its request Pending or Progressing once admitted (this one is).
  const admitted = (r: QueuedRequest) => r.name === me || r.phase === 'Pending' || r.phase === 'Progressing';
  const supersedes = (o: QueuedRequest, r: QueuedRequest) => o.type === r.type && byAge(o, r) > 0 && admitted(o);
  const newerOfMyType = open.filter((r) => supersedes(r, self)).at(-1);
  if (newerOfMyType) return { action: 'skip', supersededBy: newerOfMyType.name };
  const progressing = open.find((r) => r.phase === 'Progressing' && r.name !== me);
  if (progressing) return { action: 'wait', behind: progressing.name };
  // The head: the oldest open request that no newer request of its type supersedes.
  const head = open.find((r) => r.phase === 'Progressing' || !open.some((o) => supersedes(o, r)));
  return head?.name === me ? { action: 'run' } : { action: 'wait', behind: head?.name ?? '?' };
}
