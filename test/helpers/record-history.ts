// With OPSFLOW_RECORD_HISTORIES=<dir>, a test keeps the history of a run it made, for test/replay/ to replay
// against later workflow code (a change that breaks determinism then fails there).
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';

export async function recordHistory(client: Client, workflowId: string, name: string): Promise<void> {
  const dir = process.env.OPSFLOW_RECORD_HISTORIES;
  if (!dir) return;
  // A run's status is written before the workflow task that wrote it completes: its history is kept once it has ended.
  const handle = client.workflow.getHandle(workflowId);
  await handle.result().catch(() => {});
  const history = await handle.fetchHistory();
  await writeFile(join(dir, `${name}.json`), historyToJSON(history));
}
