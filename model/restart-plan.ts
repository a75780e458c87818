// The order in which a database's pods restart, decided before the first eviction (CloudNativePG-style):
// the plan is what a dry run shows, and the workflow executes it one step at a time.
import type { DatabaseProfile } from './profiles.ts';

export interface PodFacts {
  name: string;
  uid: string;
  role?: string;
}

export interface RestartStep {
  pod: string;
  uid: string;
  why: string;
}

const ordinal = (name: string) => Number(/-(\d+)$/.exec(name)?.[1] ?? Number.MAX_SAFE_INTEGER);
const byOrdinal = (a: PodFacts, b: PodFacts) => ordinal(a.name) - ordinal(b.name) || a.name.localeCompare(b.name);

export function restartPlan(profile: DatabaseProfile, pods: PodFacts[]): RestartStep[] {
  const sorted = [...pods].sort(byOrdinal);
  if (profile.restartOrder === 'ordinal') {
    return sorted.map((p) => ({ pod: p.name, uid: p.uid, why: 'ordinal order' }));
  }
  const primaries = sorted.filter((p) => p.role === 'primary');
  const others = sorted.filter((p) => p.role !== 'primary');
  return [
    ...others.map((p) => ({ pod: p.name, uid: p.uid, why: p.role === 'standby' ? 'standby' : 'no role label' })),
    ...primaries.map((p) => ({ pod: p.name, uid: p.uid, why: 'primary, last' })),
  ];
}
