// Work keyed by object, for controllers: one run at a time per key (so one object is never worked on twice
// at once), and requests that arrive while a key is running collapse into a single re-run after it.
// Once `signal` aborts, nothing new starts.

export class KeyedQueue {
  readonly #work: (key: string) => Promise<void>;
  readonly #running = new Map<string, Promise<void>>();
  readonly #again = new Set<string>();
  readonly #signal?: AbortSignal;

  constructor(work: (key: string) => Promise<void>, signal?: AbortSignal) {
    this.#work = work;
    this.#signal = signal;
  }

  add(key: string): void {
    if (this.#signal?.aborted) return;
    if (this.#running.has(key)) this.#again.add(key);
    else this.#start(key);
  }

  #start(key: string): void {
    const run = this.#work(key)
      .catch(() => {}) // the work reports its own errors
      .finally(() => {
        this.#running.delete(key);
        if (this.#again.delete(key) && !this.#signal?.aborted) this.#start(key);
      });
    this.#running.set(key, run);
  }

  /** Resolves when nothing is running or queued. */
  async drain(): Promise<void> {
    while (this.#running.size) await Promise.allSettled([...this.#running.values()]);
  }
}
