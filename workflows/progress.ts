// Live progress of one run as markdown, for Temporal Web's "current details" (shown while the run is open).
import { setCurrentDetails } from '@temporalio/workflow';

type State = 'pending' | 'running' | 'done' | 'failed';
const mark: Record<State, string> = { pending: '⬜', running: '⏳', done: '✅', failed: '❌' };

export class Progress {
  private readonly lines: { label: string; state: State; note?: string }[] = [];
  private readonly title: string;

  constructor(title: string) {
    this.title = title;
  }

  set(label: string, state: State, note?: string): void {
    const line = this.lines.find((l) => l.label === label);
    if (line) Object.assign(line, { state, note: note ?? line.note });
    else this.lines.push({ label, state, note });
    setCurrentDetails(this.markdown());
  }

  markdown(): string {
    const body = this.lines.map((l) => `- ${mark[l.state]} ${l.label}${l.note ? ` — ${l.note}` : ''}`).join('\n');
    return `### ${this.title}\n\n${body}\n`;
  }
}
