// A named point of a run where the crash tests' worker kills itself: "<activity>#<n>:<before|during|after>".
export interface KillPoint {
  activity: string;
  /** Which call of it, from 1. */
  call: number;
  when: 'before' | 'during' | 'after';
}

export const formatKillPoint = (k: KillPoint) => `${k.activity}#${k.call}:${k.when}`;

export function parseKillPoint(text: string): KillPoint {
  const m = /^(\w+)#(\d+):(before|during|after)$/.exec(text);
  if (!m) throw new Error(`OPSFLOW_KILL_AT=${text}: expected <activity>#<n>:<before|during|after>`);
  return { activity: m[1], call: Number(m[2]), when: m[3] as KillPoint['when'] };
}
