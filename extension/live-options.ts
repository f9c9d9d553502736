/**
 * The settings a live run uses, from the same `activationLens.*` settings as an analysis: the
 * thresholds the one advisor applies when the run ends (the listener's LiveSettings), and the probe
 * settings the taps read from their environment (python/README.md "Settings").
 */
import type { LiveSettings } from '../src/live/live-run';
import { buildRunConfig, type SettingGetter } from './run-config';

export interface LiveOptions {
  settings: LiveSettings;
  /** ACTIVATION_LENS_* for the training process. */
  env: Record<string, string>;
}

export function liveOptions(get: SettingGetter): LiveOptions {
  const c = buildRunConfig(get, { file: null, workspaceFolder: null });
  return {
    settings: {
      deadThreshold: c.deadThreshold,
      dormantTau: c.dormantTau,
      eluAlpha: c.eluAlpha,
      every: c.every,
      overheadBudget: c.overheadBudget,
    },
    env: {
      ACTIVATION_LENS_PROBE: String(c.probe),
      // 0: adaptive, within the overhead budget.
      ACTIVATION_LENS_EVERY: String(c.every ?? 0),
      ACTIVATION_LENS_OVERHEAD_BUDGET: String(c.overheadBudget),
      ACTIVATION_LENS_DORMANT_TAU: String(c.dormantTau),
    },
  };
}
