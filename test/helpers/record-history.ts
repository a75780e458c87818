// With OPSFLOW_RECORD_HISTORIES=<dir>, a test keeps the history of a run it made, for test/replay/ to replay
// against later workflow code (a change that breaks determinism then fails there).
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';

export async function recordHistory(client: Client, workflowId: string, name: string): Promise<void> {
  const dir = process.env.OPSFLOW_RECORD_HISTORIES;
  if (!dir) return;
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  await writeFile(join(dir, `${name}.json`), historyToJSON(history));
}
