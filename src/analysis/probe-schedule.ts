/**
 * When to probe. With `--every K` every K steps; otherwise by budget: a probe is due when the probe
 * time spent so far, plus this probe and one reserved for the end of the run, stays within the
 * overhead budget (default 3%) of the measured training time. Step 0 and the last step always probe.
 */
export class ProbeSchedule {
  private steps = 0;
  private trainSeconds = 0;
  private probeSeconds = 0;
  private lastProbe = 0;

  constructor(
    private readonly fixedEvery: number | null,
    private readonly overheadBudget: number,
  ) {}

  recordStep(seconds: number): void {
    this.steps++;
    this.trainSeconds += seconds;
  }

  recordProbe(seconds: number): void {
    this.probeSeconds += seconds;
    this.lastProbe = seconds;
  }

  /** Whether a probe is due `sinceLast` steps after the previous one. */
  due(sinceLast: number): boolean {
    if (this.fixedEvery && this.fixedEvery > 0) return sinceLast >= this.fixedEvery;
    // The first steps are slow (kernel compilation): wait for a few before trusting the times.
    if (this.steps < 3) return false;
    return this.probeSeconds + 2 * this.lastProbe <= this.overheadBudget * this.trainSeconds;
  }
}
