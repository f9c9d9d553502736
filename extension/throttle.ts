/**
 * Collects items and delivers them at most once per interval (the dashboard and the lenses update
 * ≤ 10 times a second however fast the engine reports).
 */
export class Batcher<T> {
  private pending: T[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly flushBatch: (items: T[]) => void,
    private readonly intervalMs = 100,
  ) {}

  push(item: T): void {
    this.pending.push(item);
    this.timer ??= setTimeout(() => this.flush(), this.intervalMs);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending.length === 0) return;
    const items = this.pending;
    this.pending = [];
    this.flushBatch(items);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.pending = [];
  }
}
