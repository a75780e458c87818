// What the local environment's lifecycle (tools/localenv) asks of the pod runtime, kept here so that its own
// files change by a line each: the mode for this environment and kwok's extra stage at env:up, a status line
// for env:status, and stopping whatever servers are left at env:down and removing the pods' folder.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { pidsDir } from './layout.ts';
import { decideMode, readMode, runtimeDir } from './mode.ts';
import { removePodsDir } from './pods-dir.ts';
import { killRecorded } from './process-record.ts';

const stageFile = fileURLToPath(new URL('../localenv/pod-runtime-stage.yaml', import.meta.url));

/** Decides (once per environment) whether real servers run behind the pods; returns kwok's extra stages. */
export async function podRuntimeStages(stateDir: string, log: (line: string) => void): Promise<string[]> {
  const mode = await decideMode(stateDir);
  log(`  pods: ${mode.summary}`);
  return mode.enabled ? [await readFile(stageFile, 'utf8')] : [];
}

export function podRuntimeStatus(stateDir: string): string {
  const mode = readMode(stateDir);
  return `pods: ${mode ? mode.summary : 'not decided yet (env:up decides)'}${mode?.enabled ? `; servers' logs in ${runtimeDir(stateDir)}/logs` : ''}`;
}

/** Stops servers the runtime left behind (it stops its own when the stand-ins stop; this is for a crash). */
export const stopPodServers = (stateDir: string): number => killRecorded(pidsDir(runtimeDir(stateDir)));

/** Removes the pods' folder, also where it lies outside the state (see pods-dir.ts). */
export const removePodsState = (stateDir: string): void => removePodsDir(runtimeDir(stateDir));
