/**
 * When to probe: every K steps, with K chosen so probing stays under a share of training time
 * (default 3%), from the measured median step time and the last probe's time. `--every K` fixes it.
 */
export class ProbeSchedule {
  private readonly stepTimes: number[] = [];
  private probeSeconds = 0;

  constructor(
    private readonly fixedEvery: number | null,
    private readonly overheadBudget: number,
  ) {}

  recordStep(seconds: number): void {
    this.stepTimes.push(seconds);
    if (this.stepTimes.length > 50) this.stepTimes.shift();
  }

  recordProbe(seconds: number): void {
    this.probeSeconds = seconds;
  }

  /** The current interval K in steps. */
  get every(): number {
    if (this.fixedEvery && this.fixedEvery > 0) return this.fixedEvery;
    if (this.stepTimes.length === 0) return 1;
    const sorted = [...this.stepTimes].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)]!;
    return Math.max(1, Math.ceil(this.probeSeconds / (this.overheadBudget * median)));
  }

  /** Whether a probe is due `sinceLast` steps after the previous one. */
  due(sinceLast: number): boolean {
    // The first steps are slow (kernel compilation); wait for a few before trusting the median.
    if (!this.fixedEvery && this.stepTimes.length < 3) return false;
    return sinceLast >= this.every;
  }
}
