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
    /** Plans from the facts, unless the spec is no longer the one admitted (`generation`): that is refused. */
    async planOperation(ref: OpsRequestRef, db: DatabaseRef, generation?: number): Promise<PlanOutcome> {
      return whileHeartbeating(async () => {
        const facts = await readPlanFacts(kube, ref, db);
        const now = facts.ops.metadata.generation ?? 1;
        if (generation !== undefined && now !== generation) {
          const message = `the spec of ${ref.kind} ${ref.namespace}/${ref.name} was edited after it was admitted (generation ${generation} → ${now}); nothing was changed: apply a new OpsRequest for the new spec`;
          return { ok: false, field: 'spec', message };
        }
        return planRequest(profileForOpsKind(ref.kind)!, facts);
      });
    },
  };
}
