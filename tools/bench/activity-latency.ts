// Where an operation's time goes by activity, from the SDK's own metrics (the worker's Prometheus endpoint on
// loopback): for each activity type of one task queue, how many ran and the mean time each took, executing
// and end to end (a regular activity's end to end includes its dispatch and its report back).
export interface ActivityLatency {
  type: string;
  local: boolean;
  count: number;
  executionMs: number;
  endToEndMs: number;
}

const metric = /^temporal_(local_)?activity_(execution|succeed_endtoend)_latency_(sum|count)\{(.*)\} ([\d.e+]+)$/;

export async function readActivityLatencies(address: string, taskQueue: string): Promise<ActivityLatency[]> {
  const text = await (await fetch(`http://${address}/metrics`)).text();
  const byType = new Map<string, { type: string; local: boolean; execution: { sum: number; count: number }; endtoend: { sum: number; count: number } }>();
  for (const line of text.split('\n')) {
    const m = metric.exec(line);
    if (!m || !m[4].includes(`task_queue="${taskQueue}"`)) continue;
    const type = /activity_type="([^"]+)"/.exec(m[4])?.[1];
    if (!type) continue;
    const local = m[1] !== undefined;
    const key = `${local} ${type}`;
    if (!byType.has(key)) byType.set(key, { type, local, execution: { sum: 0, count: 0 }, endtoend: { sum: 0, count: 0 } });
    const which = byType.get(key)![m[2] === 'execution' ? 'execution' : 'endtoend'];
    which[m[3] as 'sum' | 'count'] += Number(m[5]);
  }
  const mean = (s: { sum: number; count: number }) => (s.count ? Math.round((s.sum / s.count) * 10) / 10 : 0);
  return [...byType.values()]
    .map((a) => ({ type: a.type, local: a.local, count: a.execution.count, executionMs: mean(a.execution), endToEndMs: mean(a.endtoend) }))
    .sort((a, b) => b.count * b.endToEndMs - a.count * a.endToEndMs);
}
