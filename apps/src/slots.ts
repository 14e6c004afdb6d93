/**
 * A counting semaphore: at most `size` tasks run at once, the rest wait in
 * arrival order. The probe agent holds one per kind of work so that the number
 * of sockets it has open never exceeds the sum of their sizes, however many
 * requests arrive (docs/CONTRACTS.md, "Probe agents").
 */
export class Slots {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`slots: size is ${size}; allowed: an integer of at least 1`);
  }

  /** Tasks running now (never more than `size`). */
  get busy(): number {
    return this.running;
  }

  /** Runs `task` once a slot is free and frees the slot when it settles. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    await this.acquire(undefined);
    return this.holding(task);
  }

  /** Like {@link run}, but a task still waiting when `signal` aborts never starts: then `undefined`. */
  async runUnlessAborted<T>(task: () => Promise<T>, signal: AbortSignal): Promise<T | undefined> {
    return (await this.acquire(signal)) ? this.holding(task) : undefined;
  }

  private async holding<T>(task: () => Promise<T>): Promise<T> {
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      // A woken task inherits the slot (running stays as it is).
      if (next !== undefined) next();
      else this.running -= 1;
    }
  }

  /** True once the caller holds a slot; false when `signal` aborted first. */
  private acquire(signal: AbortSignal | undefined): Promise<boolean> {
    if (signal?.aborted === true) return Promise.resolve(false);
    if (this.running < this.size) {
      this.running += 1;
      return Promise.resolve(true);
    }
    return new Promise<boolean>((resolve) => {
      const onAbort = (): void => {
        const at = this.waiting.indexOf(wake);
        if (at >= 0) this.waiting.splice(at, 1);
        resolve(false);
      };
      const wake = (): void => {
        signal?.removeEventListener("abort", onAbort);
        resolve(true);
      };
      this.waiting.push(wake);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }
}
