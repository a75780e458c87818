// The processes of the local environment, in start order, as data: how each starts and how it shows it is ready.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { allSearchAttributes } from '../../workflows/search-attributes.ts';
import { binaryPath } from './build.ts';
import { applyWebhookConfigurations } from './cert-manager-webhook.ts';
import { run } from './exec.ts';
import { repoRoot } from './paths.ts';
import type { Pki } from './pki.ts';
import { httpGet } from './probe.ts';

export interface Ports {
  etcdClient: number;
  etcdPeer: number;
  apiserver: number;
  controllerManager: number;
  kwok: number;
  temporal: number;
  temporalUI: number;
  certManagerWebhook: number;
  certManagerWebhookHealthz: number;
  certManagerController: number;
}

export interface Context {
  stateDir: string;
  ports: Ports;
  pki: Pki;
  kubeconfig: string;
}

export interface Service {
  name: string;
  /** Services in one stage start together; a stage starts when the previous one is ready. */
  stage: number;
  command: (c: Context) => string;
  args: (c: Context) => string[];
  env?: (c: Context) => NodeJS.ProcessEnv;
  ready: (c: Context) => Promise<boolean>;
  readyTimeoutMs: number;
  /** For a process with nothing to probe: ready once it has stayed up this long after starting. */
  minUptimeMs?: number;
  /** Run by every `up` once the service is ready (whether started now or found running): idempotent. */
  afterReady?: (c: Context) => Promise<void>;
  /**
   * Bumped when what the process does changes (a Node stand-in's code, new arguments): `up` restarts a process
   * started from another revision.
   */
  revision?: string;
}

const loopback = '127.0.0.1';

/** Whether a Temporal server answers its health check at `address` as serving. */
export async function temporalServing(address: string): Promise<boolean> {
  const { stdout } = await run(binaryPath('temporal'), ['operator', 'cluster', 'health', '--address', address]);
  return /SERVING/.test(stdout);
}
const ok = async (p: Promise<{ status: number; body: string }>, body?: RegExp) => {
  const r = await p;
  return r.status === 200 && (!body || body.test(r.body));
};
const node = () => process.execPath;

export const services: Service[] = [
  {
    name: 'etcd',
    stage: 0,
    command: () => binaryPath('etcd'),
    args: ({ stateDir, ports }) => {
      const client = `http://${loopback}:${ports.etcdClient}`;
      const peer = `http://${loopback}:${ports.etcdPeer}`;
      return [
        '--name=default',
        `--data-dir=${join(stateDir, 'etcd')}`,
        `--listen-client-urls=${client}`,
        `--advertise-client-urls=${client}`,
        `--listen-peer-urls=${peer}`,
        `--initial-advertise-peer-urls=${peer}`,
        `--initial-cluster=default=${peer}`,
        '--unsafe-no-fsync=true',
        '--log-level=warn',
      ];
    },
    ready: ({ ports }) => ok(httpGet(`http://${loopback}:${ports.etcdClient}/health`), /"health":"true"/),
    readyTimeoutMs: 20_000,
  },
  {
    name: 'temporal',
    stage: 0,
    revision: 'with eager activity execution, transfer queue read at up to 1000/s',
    command: () => binaryPath('temporal'),
    args: ({ stateDir, ports }) => [
      'server',
      'start-dev',
      '--ip',
      loopback,
      '--port',
      String(ports.temporal),
      '--ui-port',
      String(ports.temporalUI),
      '--db-filename',
      join(stateDir, 'temporal.db'),
      ...allSearchAttributes.flatMap((a) => ['--search-attribute', `${a.name}=Keyword`]),
      // An activity a workflow task schedules goes back to that worker in the task's reply, not through the
      // task queue: 20–50 ms instead of 70–100 ms for each of a run's waits (off by default in the server).
      '--dynamic-config-value',
      'system.enableActivityEagerExecution=true',
      // The history service reads a shard's transfer queue (the tasks that push a new workflow task or activity
      // to matching) at most 20 times a second by default, and the dev server has one shard: once that limit's
      // burst is spent, every workflow task waits for the next 50 ms tick. A run of 30 no-op activities takes
      // 51 ms a step at 20/s, 8.5–29 ms at 1000/s with the machine's load (tools/bench/temporal-floor.ts).
      '--dynamic-config-value',
      'history.transferProcessorMaxPollRPS=1000',
      '--log-level',
      'warn',
    ],
    ready: ({ ports }) => temporalServing(`${loopback}:${ports.temporal}`),
    readyTimeoutMs: 60_000,
  },
  {
    name: 'kube-apiserver',
    stage: 1,
    command: () => binaryPath('kubernetes', 'kube-apiserver'),
    args: ({ stateDir, ports, pki }) => [
      `--etcd-servers=http://${loopback}:${ports.etcdClient}`,
      `--bind-address=${loopback}`,
      `--secure-port=${ports.apiserver}`,
      `--advertise-address=${loopback}`,
      '--endpoint-reconciler-type=none',
      `--tls-cert-file=${pki.serverCert}`,
      `--tls-private-key-file=${pki.serverKey}`,
      `--client-ca-file=${pki.ca}`,
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${pki.saPub}`,
      `--service-account-signing-key-file=${pki.saKey}`,
      '--service-cluster-ip-range=10.96.0.0/16',
      '--authorization-mode=RBAC',
      // ServiceAccount admission would race namespace creation; TaintNodesByCondition would taint new nodes.
      '--disable-admission-plugins=ServiceAccount,TaintNodesByCondition',
      '--allow-privileged=true',
      `--cert-dir=${join(stateDir, 'apiserver-certs')}`,
    ],
    ready: async ({ ports, pki }) => ok(httpGet(`https://${loopback}:${ports.apiserver}/readyz`, { ca: await readFile(pki.ca) }), /^ok/),
    readyTimeoutMs: 60_000,
  },
  {
    name: 'kube-controller-manager',
    stage: 2,
    command: () => binaryPath('kubernetes', 'kube-controller-manager'),
    args: ({ ports, kubeconfig }) => [
      `--kubeconfig=${kubeconfig}`,
      '--leader-elect=false',
      '--use-service-account-credentials=false',
      `--bind-address=${loopback}`,
      `--secure-port=${ports.controllerManager}`,
      // The disruption controller is what lets PodDisruptionBudgets admit evictions at all.
      '--controllers=statefulset-controller,garbage-collector-controller,namespace-controller,pod-garbage-collector-controller,disruption-controller',
    ],
    ready: ({ ports }) => ok(httpGet(`https://${loopback}:${ports.controllerManager}/healthz`, { insecure: true })),
    readyTimeoutMs: 30_000,
  },
  {
    name: 'kwok',
    stage: 2,
    command: () => binaryPath('kwok'),
    args: ({ ports, kubeconfig, stateDir }) => [
      `--kubeconfig=${kubeconfig}`,
      `--config=${join(stateDir, 'kwok-stages.yaml')}`,
      '--manage-all-nodes=false',
      '--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake',
      // Pod IPs on loopback: each pod's server binds its own 127.42.x.y (tools/pod-runtime).
      '--cidr=127.42.0.0/16',
      '--node-lease-duration-seconds=0',
      `--server-address=${loopback}:${ports.kwok}`,
    ],
    env: ({ stateDir }) => ({ KWOK_WORKDIR: join(stateDir, 'kwok') }),
    ready: ({ ports }) => ok(httpGet(`http://${loopback}:${ports.kwok}/healthz`)),
    readyTimeoutMs: 30_000,
  },
  {
    // KubeDB's provisioner and the pod finalizer, in one Node process. Starts after the CRDs and the simulated
    // node exist (see lifecycle.ts), alongside cert-manager's controller (it only waits for the Secrets).
    name: 'stand-ins',
    stage: 4,
    revision: 'without the cert-manager stand-in',
    command: node,
    args: () => [join(repoRoot, 'tools', 'stand-ins.ts')],
    env: ({ kubeconfig, stateDir }) => ({ KUBECONFIG: kubeconfig, LOG_DIR: join(stateDir, 'logs') }),
    ready: async () => true,
    readyTimeoutMs: 5_000,
    minUptimeMs: 1_000,
  },
  {
    // cert-manager's admission webhook, serving on loopback with a certificate from the environment's PKI. The
    // API server is told to call it (the webhook configurations) only once it answers, and the controller starts
    // after that. --v=2 is the log level cert-manager's Helm chart runs it at; its healthz port has no host
    // flag and listens on every interface (upstream's behaviour).
    name: 'cert-manager-webhook',
    stage: 3,
    command: () => binaryPath('cert-manager'),
    args: ({ ports, kubeconfig, pki }) => [
      'webhook',
      `--kubeconfig=${kubeconfig}`,
      `--secure-port=${ports.certManagerWebhook}`,
      `--healthz-port=${ports.certManagerWebhookHealthz}`,
      '--metrics-listen-address=0',
      `--tls-cert-file=${pki.webhookCert}`,
      `--tls-private-key-file=${pki.webhookKey}`,
      '--v=2',
    ],
    // healthz says the serving certificate is loaded; a TLS request verified with the CA (any HTTP status)
    // says the API server can reach it the way the webhook configurations tell it to.
    ready: async ({ ports, pki }) =>
      (await ok(httpGet(`http://${loopback}:${ports.certManagerWebhookHealthz}/healthz`))) &&
      (await httpGet(`https://${loopback}:${ports.certManagerWebhook}/`, { ca: await readFile(pki.ca) })).status > 0,
    readyTimeoutMs: 30_000,
    afterReady: applyWebhookConfigurations,
  },
  {
    // cert-manager's controllers (upstream's, CA and SelfSigned issuers), one replica without leader election.
    // Secrets of ClusterIssuers are looked up in the namespace cert-manager (created by lifecycle.ts). Ready once
    // its informer caches have synced. Everything else is cert-manager's default, the 1 h minimum backoff after a
    // failed issuance included.
    name: 'cert-manager-controller',
    stage: 4,
    command: () => binaryPath('cert-manager'),
    args: ({ ports, kubeconfig }) => [
      'controller',
      `--kubeconfig=${kubeconfig}`,
      '--leader-elect=false',
      '--cluster-resource-namespace=cert-manager',
      `--healthz-listen-address=${loopback}:${ports.certManagerController}`,
      '--v=2',
    ],
    ready: ({ ports }) => ok(httpGet(`http://${loopback}:${ports.certManagerController}/readyz`)),
    readyTimeoutMs: 30_000,
  },
];
