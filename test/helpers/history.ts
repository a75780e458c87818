// A run's full history as text, for scanning: every payload decoded, so a certificate or key that slipped into
// an activity's input or result, a failure message or a search attribute would be found.
import type { Client } from '@temporalio/client';

function collect(value: unknown, out: string[]): void {
  if (value instanceof Uint8Array) {
    out.push(Buffer.from(value).toString('utf8'));
    out.push(Buffer.from(value).toString('base64'));
  } else if (typeof value === 'string') {
    out.push(value);
  } else if (Array.isArray(value)) {
    for (const v of value) collect(v, out);
  } else if (value && typeof value === 'object') {
    for (const v of Object.values(value)) collect(v, out);
  }
}

export async function historyText(client: Client, workflowId: string): Promise<string> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const out: string[] = [];
  collect(history, out);
  return out.join('\n');
}
