// What Temporal itself costs per step on this machine, with no Kubernetes call in it: workflows of no-op
// activities (floor/workflows.ts) in the shapes opsflow's runs are made of, each run `rounds` times, the shapes
// alternated, timed from start to result. Measured twice in one run: on the local environment's dev server,
// and on a dev server started here with Temporal's defaults but for eager activity execution (the same binary, on
// loopback, in memory), which reads its one history shard's transfer queue at most 20 times a second.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { connectionOptions, temporalSettings } from '../../platform/temporal.ts';
import { binaryPath } from '../localenv/build.ts';
import { freePort } from '../localenv/ports.ts';
import { temporalServing } from '../localenv/services.ts';
import { floorActivities } from './floor/activities.ts';

const shapes = ['regularSteps', 'localSteps', 'pairedSteps'] as const;
type Shape = (typeof shapes)[number];

/** Milliseconds per step of each shape, one figure per round. */
export type MsPerStep = Record<Shape, number[]>;

export interface TemporalFloor {
  steps: number;
  localEnvironment: MsPerStep;
  defaults: MsPerStep;
}

/** The middle figure of a shape's rounds. */
export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

export async function measureTemporalFloor({ steps = 30, rounds = 3 }: { steps?: number; rounds?: number } = {}): Promise<TemporalFloor> {
  const localEnvironment = await measureOn(temporalSettings().address, steps, rounds);
  const defaults = await withDefaultServer((address) => measureOn(address, steps, rounds));
  return { steps, localEnvironment, defaults };
}

async function measureOn(address: string, steps: number, rounds: number): Promise<MsPerStep> {
  const temporal = { ...temporalSettings(), address, taskQueue: `floor-${Date.now()}` };
  const connection = await NativeConnection.connect(connectionOptions(temporal));
  const clientConnection = await Connection.connect(connectionOptions(temporal));
  const client = new Client({ connection: clientConnection, namespace: temporal.namespace });
  const worker = await Worker.create({
    connection,
    namespace: temporal.namespace,
    taskQueue: temporal.taskQueue,
    workflowsPath: fileURLToPath(new URL('./floor/workflows.ts', import.meta.url)),
    activities: floorActivities,
  });
  const msPerStep: MsPerStep = { regularSteps: [], localSteps: [], pairedSteps: [] };
  await worker.runUntil(async () => {
    for (let round = 0; round < rounds; round++) {
      for (const shape of shapes) {
        const t0 = performance.now();
        await client.workflow.execute(shape, { taskQueue: temporal.taskQueue, workflowId: `${temporal.taskQueue}-${shape}-${round}`, args: [steps] });
        msPerStep[shape].push(Math.round(((performance.now() - t0) / steps) * 10) / 10);
      }
    }
  });
  await clientConnection.close();
  await connection.close();
  return msPerStep;
}

async function withDefaultServer<T>(body: (address: string) => Promise<T>): Promise<T> {
  const temporal = binaryPath('temporal');
  const [port, uiPort] = [await freePort(), await freePort()];
  const address = `127.0.0.1:${port}`;
  const server = spawn(
    temporal,
    ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--ui-port', String(uiPort), '--headless', '--log-level', 'error', '--dynamic-config-value', 'system.enableActivityEagerExecution=true'],
    { stdio: 'ignore' },
  );
  try {
    for (let i = 0; ; i++) {
      if (await temporalServing(address).catch(() => false)) break;
      if (i === 100) throw new Error(`the dev server with Temporal's defaults did not serve on ${address} within 20 s`);
      await new Promise((r) => setTimeout(r, 200));
    }
    return await body(address);
  } finally {
    const exited = once(server, 'exit');
    server.kill();
    await exited;
  }
}
