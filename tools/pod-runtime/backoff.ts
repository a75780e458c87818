// The kubelet's back-off between restarts of a crashing container (CrashLoopBackOff): 10 s after the first
// failure, doubling each time up to 5 minutes; a container that ran for 10 minutes starts afresh.
export const initialBackoffMs = 10_000;
export const maxBackoffMs = 300_000;
export const resetAfterMs = 600_000;

/** The delay before restart number `restarts` (1 for the first restart). */
export const restartDelayMs = (restarts: number): number => Math.min(initialBackoffMs * 2 ** Math.max(0, restarts - 1), maxBackoffMs);

/** Back-off restarts counted since the last time the container ran long enough to forget earlier crashes. */
export const backoffRestarts = (previous: number, ranForMs: number): number => (ranForMs >= resetAfterMs ? 1 : previous + 1);
