// Workflows that do nothing but call a no-op activity `steps` times in sequence, in the shapes opsflow's runs
// are made of: what Temporal itself costs per step on this machine, with no Kubernetes call in it.
import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { floorActivities } from './activities.ts';

type A = typeof floorActivities;
const regular = proxyActivities<A>({ startToCloseTimeout: '10s' });
const local = proxyLocalActivities<A>({ startToCloseTimeout: '10s' });

/** `steps` regular activities, one after another: each a task dispatched by the server and a workflow task. */
export async function regularSteps(steps: number): Promise<void> {
  for (let i = 0; i < steps; i++) await regular.noop();
}

/** `steps` local activities, one after another, run by the worker inside the workflow's task. */
export async function localSteps(steps: number): Promise<void> {
  for (let i = 0; i < steps; i++) await local.noop();
}

/** `steps` times a local activity then a regular one: opsflow's step (a status write, then the next call). */
export async function pairedSteps(steps: number): Promise<void> {
  for (let i = 0; i < steps; i++) {
    await local.noop();
    await regular.noop();
  }
}
