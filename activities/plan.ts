// Plans an OpsRequest: reads the facts and asks the pure planner. The plan is this activity's result, so it is
// recorded in the run's history: a later change to the planner never changes what a running workflow does.
import { profileForOpsKind } from '../model/profiles.ts';
import { planRequest } from '../model/planner.ts';
import type { PlanOutcome } from '../model/plan.ts';
import type { Kube } from '../platform/kube.ts';
import { readPlanFacts } from './facts.ts';
import { whileHeartbeating } from './heartbeat.ts';
import type { DatabaseRef, OpsRequestRef } from './refs.ts';

export function planActivities(kube: Kube) {
  return {
    async planOperation(ref: OpsRequestRef, db: DatabaseRef): Promise<PlanOutcome> {
      return whileHeartbeating(async () => planRequest(profileForOpsKind(ref.kind)!, await readPlanFacts(kube, ref, db)));
    },
  };
}
