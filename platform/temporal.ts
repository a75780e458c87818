// Temporal connection settings from the environment: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY,
// TEMPORAL_TLS (=true for server-verified TLS), TEMPORAL_TLS_CA / TEMPORAL_TLS_CERT / TEMPORAL_TLS_KEY (PEM file
// paths, for a private CA and mutual TLS). OPSFLOW_TASK_QUEUE names the task queue (default "opsflow").
import { readFileSync } from 'node:fs';
import type { TLSConfig } from '@temporalio/client';

export interface TemporalSettings {
  address: string;
  namespace: string;
  taskQueue: string;
  apiKey?: string;
  tls?: TLSConfig | boolean;
  uiUrl?: string;
}

export function temporalSettings(env: NodeJS.ProcessEnv = process.env): TemporalSettings {
  const file = (name: string) => {
    const path = env[name];
    if (!path) return undefined;
    try {
      return readFileSync(path);
    } catch (err) {
      throw new Error(`${name}=${path} cannot be read: ${(err as Error).message}`);
    }
  };
  const ca = file('TEMPORAL_TLS_CA');
  const crt = file('TEMPORAL_TLS_CERT');
  const key = file('TEMPORAL_TLS_KEY');
  if (Boolean(crt) !== Boolean(key)) throw new Error('TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together: set both for mutual TLS, or neither');
  const apiKey = env.TEMPORAL_API_KEY || undefined;
  const tls: TLSConfig | boolean | undefined =
    ca || crt ? { serverRootCACertificate: ca, clientCertPair: crt && key ? { crt, key } : undefined } : env.TEMPORAL_TLS === 'true' || apiKey ? true : undefined;
  return {
    address: env.TEMPORAL_ADDRESS ?? 'localhost:7233',
    namespace: env.TEMPORAL_NAMESPACE ?? 'default',
    taskQueue: env.OPSFLOW_TASK_QUEUE ?? 'opsflow',
    apiKey,
    tls,
    uiUrl: env.TEMPORAL_UI_URL,
  };
}

export const connectionOptions = (s: TemporalSettings) => ({ address: s.address, tls: s.tls, apiKey: s.apiKey });

/** The run's page in Temporal Web, when the UI's address is known. */
export const workflowUrl = (s: TemporalSettings, workflowId: string, runId?: string) =>
  s.uiUrl ? `${s.uiUrl}/namespaces/${encodeURIComponent(s.namespace)}/workflows/${encodeURIComponent(workflowId)}${runId ? `/${runId}` : ''}` : undefined;
