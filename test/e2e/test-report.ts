/**
 * A small sequential test runner for flows against one live VS Code: steps run in order, each
 * under a timeout; after a failed step the rest of its flow is skipped (they would only time out
 * against a broken state). A failure hook saves the evidence before the next step runs.
 */

export interface TestResult {
  name: string;
  status: 'passed' | 'failed' | 'skipped';
  ms: number;
  error?: string;
}

export interface Step {
  name: string;
  timeoutMs: number;
  run: () => Promise<void>;
}

export class TestReport {
  readonly results: TestResult[] = [];

  record(result: TestResult): void {
    this.results.push(result);
    const seconds = (result.ms / 1000).toFixed(1);
    if (result.status === 'passed') console.log(`  ✔ ${result.name} (${seconds} s)`);
    else if (result.status === 'skipped') console.log(`  - ${result.name} (skipped: ${result.error ?? ''})`);
    else
      console.log(
        `  ✘ ${result.name} (${seconds} s)\n      ${(result.error ?? '').split('\n').join('\n      ')}`,
      );
  }

  count(status: TestResult['status']): number {
    return this.results.filter((r) => r.status === status).length;
  }
}

async function withTimeout(run: () => Promise<void>, timeoutMs: number, name: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`"${name}" timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([run(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs the steps of one flow; returns true when all passed. */
export async function runFlow(
  report: TestReport,
  flow: string,
  steps: Step[],
  onFailure: (stepName: string, error: Error) => Promise<void>,
): Promise<boolean> {
  console.log(`${flow}`);
  let failedStep: string | undefined;
  for (const step of steps) {
    const name = `${flow} › ${step.name}`;
    if (failedStep !== undefined) {
      report.record({ name, status: 'skipped', ms: 0, error: `"${failedStep}" failed` });
      continue;
    }
    const started = Date.now();
    try {
      await withTimeout(step.run, step.timeoutMs, step.name);
      report.record({ name, status: 'passed', ms: Date.now() - started });
    } catch (error) {
      const err = error instanceof Error ? error : new Error(String(error));
      failedStep = step.name;
      report.record({ name, status: 'failed', ms: Date.now() - started, error: err.stack ?? err.message });
      await onFailure(step.name, err).catch((hookError: unknown) =>
        console.log(`      (could not save evidence: ${String(hookError)})`),
      );
    }
  }
  return failedStep === undefined;
}
