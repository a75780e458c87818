// `env:up`, `env:down`, `env:status`: bring the local environment up (idempotently), take it down, report it.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { binaryPath, buildAll, certManagerCRDFiles, writeKwokStages } from './build.ts';
import { kubectl as kubectlAt } from './kubectl.ts';
import { envFile, repoRoot, stateDir } from './paths.ts';
import { ensurePki } from './pki.ts';
import { freePort } from './ports.ts';
import { until } from './probe.ts';
import { isAlive, startDetached, stopProcess } from './process.ts';
import { services, type Context, type Ports, type Service } from './services.ts';
import { podRuntimeStages, podRuntimeStatus, removePodsState, stopPodServers } from '../pod-runtime/localenv.ts';

interface State {
  ports: Ports;
  pids: Record<string, number>;
  /** The revision of each service's definition its running process was started from (see Service.revision). */
  revisions?: Record<string, string>;
}

const stateFile = join(stateDir, 'state.json');
const logDir = join(stateDir, 'logs');
export const simulatedNode = 'kwok-node-0';

const portNames: (keyof Ports)[] = [
  'etcdClient',
  'etcdPeer',
  'apiserver',
  'controllerManager',
  'kwok',
  'temporal',
  'temporalUI',
  'certManagerWebhook',
  'certManagerWebhookHealthz',
  'certManagerController',
];

/** The pid of each running process of the environment, by service name (none when it is not running). */
export function environmentPids(): Record<string, number> {
  return existsSync(stateFile) ? (JSON.parse(readFileSync(stateFile, 'utf8')) as State).pids : {};
}

/** The recorded state; ports of services an older version did not have are chosen now. */
async function readState(): Promise<State | undefined> {
  if (!existsSync(stateFile)) return undefined;
  const state: State = JSON.parse(await readFile(stateFile, 'utf8'));
  for (const name of portNames) state.ports[name] ??= await freePort();
  return state;
}

// Services of one stage start side by side, each saving the state: the saves go one after another, each
// writing the whole state as it is then (every pid recorded so far) and renaming it over the file, so none is
// lost and a reader never sees half a file.
let saving: Promise<void> = Promise.resolve();
function saveState(state: State): Promise<void> {
  saving = saving.catch(() => {}).then(async () => {
    const temporary = `${stateFile}.${process.pid}`;
    await writeFile(temporary, JSON.stringify(state, null, 2));
    await rename(temporary, stateFile);
  });
  return saving;
}

async function newState(): Promise<State> {
  const ports = {} as Ports;
  for (const name of portNames) ports[name] = await freePort();
  return { ports, pids: {} };
}

function kubeconfigYaml(c: Context, ca: string, cert: string, key: string): string {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  return `apiVersion: v1
kind: Config
clusters:
- name: opsflow-local
  cluster:
    server: https://127.0.0.1:${c.ports.apiserver}
    certificate-authority-data: ${b64(ca)}
users:
- name: admin
  user:
    client-certificate-data: ${b64(cert)}
    client-key-data: ${b64(key)}
contexts:
- name: opsflow-local
  context: {cluster: opsflow-local, user: admin}
current-context: opsflow-local
`;
}

const kubectl = (c: Context, args: string[]) => kubectlAt(c.kubeconfig, args);

/**
 * CRDs (cert-manager's own, from its module; ours for KubeDB's kinds), the cluster-resource namespace
 * cert-manager uses for ClusterIssuers, and a Ready simulated node.
 */
async function prepareCluster(c: Context): Promise<void> {
  const crds = [...(await certManagerCRDFiles()), join(repoRoot, 'deploy', 'crds')];
  // Server-side: cert-manager's Challenge CRD is too big for client-side apply's last-applied annotation.
  await kubectl(c, ['apply', '--server-side', '--force-conflicts', ...crds.flatMap((f) => ['-f', f])]);
  await kubectl(c, ['wait', '--for=condition=Established', 'crd', '--all', '--timeout=60s']);
  const manifest = join(c.stateDir, 'cluster.yaml');
  await writeFile(
    manifest,
    `apiVersion: v1
kind: Namespace
metadata: {name: cert-manager}
---
apiVersion: v1
kind: Node
metadata:
  name: ${simulatedNode}
  annotations: {kwok.x-k8s.io/node: fake, node.alpha.kubernetes.io/ttl: "0"}
  labels: {kubernetes.io/hostname: ${simulatedNode}, kubernetes.io/role: agent, type: kwok}
spec: {providerID: "kwok://${simulatedNode}"}
status:
  allocatable: {cpu: "32", memory: 256Gi, pods: "250"}
  capacity: {cpu: "32", memory: 256Gi, pods: "250"}
`,
  );
  await kubectl(c, ['apply', '--server-side', '-f', manifest]);
  await kubectl(c, ['wait', '--for=condition=Ready', `node/${simulatedNode}`, '--timeout=60s']);
}

async function tail(file: string, lines = 20): Promise<string> {
  return existsSync(file) ? (await readFile(file, 'utf8')).trim().split('\n').slice(-lines).join('\n') : '';
}

async function isReady(s: Service, c: Context, pid: number | undefined): Promise<boolean> {
  return isAlive(pid) && (await s.ready(c).catch(() => false));
}

async function ensureRunning(s: Service, c: Context, state: State, log: (l: string) => void): Promise<void> {
  const current = (state.revisions?.[s.name] ?? '') === (s.revision ?? '');
  if (current && (await isReady(s, c, state.pids[s.name]))) return;
  await stopProcess(state.pids[s.name]);
  const logFile = join(logDir, `${s.name}.log`);
  const t0 = Date.now();
  const pid = startDetached(s.command(c), s.args(c), logFile, s.env?.(c));
  state.pids[s.name] = pid;
  state.revisions = { ...state.revisions, [s.name]: s.revision ?? '' };
  await saveState(state);
  try {
    await until(s.name, async () => {
      if (!isAlive(pid)) throw new Error(`${s.name} exited`);
      return Date.now() - t0 >= (s.minUptimeMs ?? 0) && s.ready(c);
    }, s.readyTimeoutMs);
  } catch (err) {
    throw new Error(`${(err as Error).message}\n--- last lines of ${logFile} ---\n${await tail(logFile)}`);
  }
  log(`  ${s.name} ready in ${Date.now() - t0} ms (pid ${pid})`);
}

function context(state: State, pki: Context['pki']): Context {
  return { stateDir, ports: state.ports, pki, kubeconfig: join(stateDir, 'kubeconfig') };
}

export async function up(log: (line: string) => void = console.log): Promise<void> {
  const t0 = Date.now();
  await buildAll(log);
  await mkdir(logDir, { recursive: true });
  const state = (await readState()) ?? (await newState());
  await saveState(state);
  const pki = await ensurePki(join(stateDir, 'pki'));
  const c = context(state, pki);
  await writeKwokStages(join(stateDir, 'kwok-stages.yaml'), await podRuntimeStages(stateDir, log));
  await writeFile(c.kubeconfig, kubeconfigYaml(c, await readFile(pki.ca, 'utf8'), await readFile(pki.adminCert, 'utf8'), await readFile(pki.adminKey, 'utf8')), { mode: 0o600 });
  const stages = [...new Set(services.map((s) => s.stage))].sort();
  for (const stage of stages) {
    if (stage === 3) await prepareCluster(c);
    await Promise.all(
      services.filter((s) => s.stage === stage).map(async (s) => {
        await ensureRunning(s, c, state, log);
        await s.afterReady?.(c);
      }),
    );
  }
  await writeFile(
    envFile,
    [
      `KUBECONFIG=${c.kubeconfig}`,
      `TEMPORAL_ADDRESS=127.0.0.1:${state.ports.temporal}`,
      'TEMPORAL_NAMESPACE=default',
      `TEMPORAL_UI_URL=http://127.0.0.1:${state.ports.temporalUI}`,
      '',
    ].join('\n'),
  );
  log(`local environment up in ${((Date.now() - t0) / 1000).toFixed(1)} s; settings in ${envFile}`);
  log(`  Temporal Web: http://127.0.0.1:${state.ports.temporalUI}   kubectl: npm run kubectl -- get pods -A`);
}

export async function down(log: (line: string) => void = console.log): Promise<void> {
  const state = await readState();
  if (state) {
    // Every process the environment recorded, newest first: also those of services an older version had.
    for (const pid of Object.values(state.pids).reverse()) await stopProcess(pid);
    stopPodServers(stateDir);
  }
  removePodsState(stateDir);
  await rm(stateDir, { recursive: true, force: true });
  log(state ? 'local environment stopped and its state removed' : 'local environment was not running');
}

export async function status(log: (line: string) => void = console.log): Promise<boolean> {
  const state = await readState();
  if (!state) {
    log('local environment is not running (npm run env:up starts it)');
    return false;
  }
  const c = context(state, (await import('./pki.ts')).pkiPaths(join(stateDir, 'pki')));
  let allReady = true;
  for (const s of services) {
    const pid = state.pids[s.name];
    const ready = await isReady(s, c, pid);
    allReady &&= ready;
    log(`${ready ? 'ready  ' : 'DOWN   '} ${s.name.padEnd(24)} pid ${String(pid ?? '-').padEnd(8)} log ${join(logDir, `${s.name}.log`)}`);
  }
  log(`Temporal: 127.0.0.1:${state.ports.temporal}  Web UI: http://127.0.0.1:${state.ports.temporalUI}  Kubernetes API: https://127.0.0.1:${state.ports.apiserver}`);
  log(podRuntimeStatus(stateDir));
  log(`settings: ${envFile}`);
  return allReady;
}

export async function runKubectl(args: string[]): Promise<number> {
  const kubeconfig = join(stateDir, 'kubeconfig');
  if (!existsSync(kubeconfig)) throw new Error('the local environment is not running: start it with `npm run env:up`');
  const { spawn } = await import('node:child_process');
  const child = spawn(binaryPath('kubernetes', 'kubectl'), [`--kubeconfig=${kubeconfig}`, ...args], { stdio: 'inherit' });
  return new Promise((resolve) => child.on('close', (code) => resolve(code ?? 1)));
}
