// Every side effect opsflow has, bound to one Kubernetes connection. Workflows import this file's type only.
import type { Kube } from '../platform/kube.ts';
import { adoptActivities } from './adopt.ts';
import { certificateActivities } from './certificates.ts';
import { customConfigActivities } from './custom-config.ts';
import { databaseActivities } from './database.ts';
import { opsRequestActivities } from './ops-request.ts';
import { planActivities } from './plan.ts';
import { podActivities } from './pods.ts';
import { proxysqlActivities } from './proxysql.ts';
import { reloadTLSActivities } from './reload-tls.ts';
import { servingActivities } from './serving.ts';
import { workloadActivities } from './workload.ts';

export function createActivities(kube: Kube) {
  return {
    ...opsRequestActivities(kube),
    ...adoptActivities(kube),
    ...planActivities(kube),
    ...databaseActivities(kube),
    ...certificateActivities(kube),
    ...workloadActivities(kube),
    ...customConfigActivities(kube),
    ...podActivities(kube),
    ...proxysqlActivities(kube),
    ...servingActivities(kube),
    ...reloadTLSActivities(kube),
  };
}

export type Activities = ReturnType<typeof createActivities>;
