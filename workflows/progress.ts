// Live progress of one run as markdown, for Temporal Web's "current details": every step of the plan with its
// state, what it did, how long it took and, once it was retried, its attempt; the parts of a step that runs
// (a pod's restart: choose, evict, wait) listed under it. Times are the workflow's clock (deterministic), so the
// same history always renders the same list. Marks are plain symbols every font has (✔ ✘ ▶ ○ ‖).
import { setCurrentDetails } from '@temporalio/workflow';

export type State = 'pending' | 'running' | 'done' | 'failed' | 'waiting';
const mark: Record<State, string> = { pending: '○', running: '▶', done: '✔', failed: '✘', waiting: '‖' };

/** One line of the step list, as the result and the status writes carry it. */
export interface StepRecord {
  label: string;
  state: State;
  note?: string;
  /** When it first started, when its latest attempt started, and when it last finished (ISO times, the workflow's clock). */
  startedAt?: string;
  attemptStartedAt?: string;
  finishedAt?: string;
  /** How often it ran: 1, and one more for each retry (the Update retryFailedStep). */
  attempts: number;
  durationMs?: number;
}

interface Line {
  label: string;
  state: State;
  note?: string;
  started?: number;
  attemptStarted?: number;
  finished?: number;
  attempts: number;
  /** Listed under the step that was running when it first appeared. */
  child?: boolean;
  /** One of the plan's steps, listed before the run began. */
  planned?: boolean;
}

/** "1.2s", "850ms", "2m05s". */
export function formatElapsed(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

export class Progress {
  private readonly lines: Line[] = [];
  private readonly title: string;
  private readonly began = Date.now();
  private footer?: string;
  /** The step running now, under which lines that first appear meanwhile are listed, and how many it has. */
  private anchor?: Line;
  private children = 0;

  constructor(title: string) {
    this.title = title;
  }

  set(label: string, state: State, note?: string): void {
    const now = Date.now();
    let line = this.lines.find((l) => l.label === label);
    if (!line) {
      line = { label, state: 'pending', attempts: 0 };
      const under = this.anchor && this.anchor.state === 'running' ? this.lines.indexOf(this.anchor) : -1;
      if (under >= 0) {
        line.child = true;
        this.lines.splice(under + 1 + this.children++, 0, line);
      } else {
        // Once the run has begun, before the steps still to come (each pod's line before the restart step that
        // sums them up); before that, in the plan's order.
        const begun = this.lines.some((l) => l.state !== 'pending');
        const next = begun ? this.lines.findIndex((l) => l.state === 'pending' && l.planned) : -1;
        if (!begun) line.planned = true;
        this.lines.splice(next < 0 ? this.lines.length : next, 0, line);
      }
    }
    if (state === 'running' && !line.child && this.anchor !== line) {
      this.anchor = line;
      this.children = 0;
    }
    if (state === 'running' && line.state !== 'running' && line.state !== 'done') {
      // A step runs again after it failed only when it is retried.
      line.attempts += 1;
      line.started ??= now;
      line.attemptStarted = now;
    }
    if (state === 'done' || state === 'failed') {
      line.started ??= now;
      line.attemptStarted ??= now;
      line.attempts ||= 1;
      line.finished = now;
    }
    line.state = state;
    if (note !== undefined) line.note = note;
    setCurrentDetails(this.markdown());
  }

  /** A line under the list (e.g. how to retry a failed step); undefined removes it. */
  setFooter(text: string | undefined): void {
    this.footer = text;
    setCurrentDetails(this.markdown());
  }

  record(label: string): StepRecord | undefined {
    const l = this.lines.find((x) => x.label === label);
    return l && toRecord(l);
  }

  records(): StepRecord[] {
    return this.lines.map(toRecord);
  }

  markdown(): string {
    const body = this.lines
      .map((l) => {
        const facts = [
          l.finished !== undefined && l.started !== undefined ? formatElapsed(l.finished - l.started) : undefined,
          l.attempts > 1 ? `attempt ${l.attempts}` : undefined,
        ].filter(Boolean);
        return `${l.child ? '  ' : ''}- ${mark[l.state]} ${l.label}${l.note ? ` — ${l.note}` : ''}${facts.length ? ` · ${facts.join(', ')}` : ''}`;
      })
      .join('\n');
    const done = this.lines.filter((l) => l.state === 'done').length;
    return `### ${this.title}\n\n${done} of ${this.lines.length} steps done · ${formatElapsed(Date.now() - this.began)}\n\n${body}\n${this.footer ? `\n${this.footer}\n` : ''}`;
  }
}

function toRecord(l: Line): StepRecord {
  return {
    label: l.label,
    state: l.state,
    ...(l.note !== undefined ? { note: l.note } : {}),
    ...(l.started !== undefined ? { startedAt: new Date(l.started).toISOString() } : {}),
    ...(l.attemptStarted !== undefined ? { attemptStartedAt: new Date(l.attemptStarted).toISOString() } : {}),
    ...(l.finished !== undefined ? { finishedAt: new Date(l.finished).toISOString() } : {}),
    attempts: l.attempts,
    ...(l.finished !== undefined && l.started !== undefined ? { durationMs: l.finished - l.started } : {}),
  };
}
