/**
 * Runs async tasks with at most `limit` in flight. `submit` resolves once the task has started,
 * waiting for a free slot first, so a producer reading a stream never runs ahead of its writes.
 * After the first failure no new task starts: the next `submit`, or `drain`, throws it.
 *
 * Hand-written because the usual packages (p-limit, p-map) are not dependencies of the
 * workspace, and this needs only the slot wait and first-failure stop.
 */
export class TaskPool {
  private readonly running = new Set<Promise<void>>();
  private failure: { error: unknown } | undefined;

  constructor(private readonly limit: number) {}

  /** Starts `task` as soon as fewer than `limit` run. */
  async submit(task: () => Promise<void>): Promise<void> {
    while (this.running.size >= this.limit) await Promise.race(this.running);
    this.throwIfFailed();
    const running: Promise<void> = task()
      .catch((error: unknown) => {
        this.failure ??= { error };
      })
      .finally(() => this.running.delete(running));
    this.running.add(running);
  }

  /** Waits for every started task; never throws (see `drain`). */
  async settle(): Promise<void> {
    while (this.running.size > 0) await Promise.all(this.running);
  }

  /** Waits for every started task, then throws the first failure if there was one. */
  async drain(): Promise<void> {
    await this.settle();
    this.throwIfFailed();
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure.error;
  }
}
