// Something to wait on until it is poked or a time has passed, whichever comes first: a container waiting
// for a missing Secret (poked when Secrets change), or for its back-off to run out (poked when it stops).
export class Wakeup {
  #waiters: (() => void)[] = [];

  /** Resolves on the next poke, or after `ms`. */
  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done() {
        clearTimeout(timer);
        self.#waiters = self.#waiters.filter((w) => w !== done);
        resolve();
      }
      this.#waiters.push(done);
    });
  }

  poke(): void {
    for (const w of [...this.#waiters]) w();
  }
}
