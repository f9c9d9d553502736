/** The run's one-line status (#status) and the run buttons. */
import type { DashboardState } from '../src/protocol';

/** "Running on webgpu · step 120/300 · loss 0.312 · acc 0.91 · 812 samples/s". Pure. */
export function statusText(s: DashboardState): string {
  const backend = s.started ? `${s.started.backend}` : null;
  const last = s.progress[s.progress.length - 1];
  const arm = last?.arm !== undefined ? `${last.arm} arm · ` : '';
  // A partial model says so in every status line, not only in the banner.
  const partial = s.started?.model.omitted?.length ? ' (partial model)' : '';
  const where = s.started ? `${s.started.model.name}${partial} on ${backend}` : 'no run yet';
  switch (s.status) {
    case 'idle':
      return 'No analysis yet. Run "Analyze Activations" on a model script, a saved model, or the built-in example.';
    case 'running':
      // A live run does not know its length (totalSteps 0) and PyTorch reports no accuracy (NaN).
      return last
        ? `Running ${where} · ${arm}step ${last.step}${last.totalSteps > 0 ? `/${last.totalSteps}` : ''} · loss ${last.loss.toFixed(3)}${Number.isNaN(last.accuracy) ? '' : ` · acc ${last.accuracy.toFixed(3)}`} · ${Math.round(last.samplesPerSecond)} samples/s`
        : s.started
          ? `Running ${where} · starting…`
          : 'Starting the engine…';
    case 'finished':
      return `Finished ${where} · ${s.report?.training.steps ?? last?.step ?? 0} steps · ${s.findings.length} finding${s.findings.length === 1 ? '' : 's'}`;
    case 'cancelled':
      return `Stopped ${where}${last ? ` at step ${last.step}` : ''} · the data so far is kept`;
    case 'failed':
      return `Failed: ${s.error ?? 'the engine stopped'} · the data so far is kept`;
  }
}
