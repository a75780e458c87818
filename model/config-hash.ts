// Pods load their configuration when they start. A change to a rendered configuration (Pgpool's pgpool.conf
// and pool_hba.conf) is carried into the pod template as a hash of it, so the template changes with it: the
// pods that must restart are then exactly those not on the newest revision, also for a request applied again
// after it failed midway.
import { createHash } from 'node:crypto';
import type { V1PodTemplateSpec } from '@kubernetes/client-node';

export const configHashAnnotation = 'opsflow.dev/config-hash';

/** A short, stable digest of configuration files (name → content). */
export function configHash(files: Record<string, string>): string {
  const hash = createHash('sha256');
  for (const name of Object.keys(files).sort()) hash.update(`${name}\0${files[name]}\0`);
  return hash.digest('hex').slice(0, 16);
}

export const configHashOf = (template: V1PodTemplateSpec | undefined): string | undefined => template?.metadata?.annotations?.[configHashAnnotation];
