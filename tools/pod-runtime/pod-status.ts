// The pod status the runtime reports, as the kubelet reports it: one containerStatus per container (its
// state, the last termination, restarts, ready), and the pod's Ready and ContainersReady conditions from the
// containers' readiness — the other conditions (Initialized, PodScheduled, …) as they are. A condition keeps
// its lastTransitionTime while its status stays the same.
import type { V1ContainerState, V1ContainerStatus, V1Pod, V1PodCondition } from '@kubernetes/client-node';

export interface ContainerReport {
  name: string;
  image: string;
  state: V1ContainerState;
  lastState?: V1ContainerState;
  ready: boolean;
  started: boolean;
  restartCount: number;
  containerID?: string;
}

export interface PodStatusPatch {
  phase: 'Running';
  conditions: V1PodCondition[];
  containerStatuses: V1ContainerStatus[];
}

export function podStatusPatch(pod: V1Pod, containers: ContainerReport[], now: string): PodStatusPatch {
  const unready = containers.filter((c) => !c.ready).map((c) => c.name);
  const existing = pod.status?.conditions ?? [];
  const condition = (type: string): V1PodCondition => {
    const status = unready.length ? 'False' : 'True';
    const before = existing.find((c) => c.type === type);
    return {
      type,
      status,
      lastTransitionTime: (before?.status === status && before.lastTransitionTime ? before.lastTransitionTime : now) as unknown as Date,
      ...(unready.length ? { reason: 'ContainersNotReady', message: `containers with unready status: [${unready.join(' ')}]` } : {}),
    };
  };
  const ours = new Set(['Ready', 'ContainersReady']);
  return {
    phase: 'Running',
    conditions: [...existing.filter((c) => !ours.has(c.type)), condition('ContainersReady'), condition('Ready')],
    containerStatuses: containers.map((c) => ({
      name: c.name,
      image: c.image,
      imageID: '',
      ...(c.containerID ? { containerID: c.containerID } : {}),
      ready: c.ready,
      started: c.started,
      restartCount: c.restartCount,
      state: c.state,
      ...(c.lastState ? { lastState: c.lastState } : { lastState: {} }),
    })),
  };
}
