/**
 * Settings (`activationLens.*`) → the engine's RunConfig. Pure: the caller passes a getter, so the
 * mapping and its defaults are unit-tested without VS Code. Every default starts from the engine's
 * defaultRunConfig(); a unit test checks package.json declares the same ones.
 */
import { isAbsolute, resolve } from 'node:path';
import type { BackendName, RunConfig } from '../src/protocol';
import { BACKENDS, defaultRunConfig } from '../src/run-config';

/** Reads one setting below `activationLens.`; returns undefined when unset. */
export type SettingGetter = (key: string) => unknown;

/**
 * An analysis started from the editor trains for a short fixed budget, so the lenses fill within
 * seconds; the CLI's default (steps: null) trains for the model's own epochs.
 */
export const EDITOR_STEPS = 300;

/** The settings that feed a RunConfig, each with its default and the range it is clamped to. */
const NUMERIC_SETTINGS = (() => {
  const d = defaultRunConfig();
  return {
    steps: { fallback: EDITOR_STEPS, min: 1, max: 1_000_000, integer: true },
    probeSize: { fallback: d.probe, min: 8, max: 100_000, integer: true },
    // 0 = adaptive (RunConfig.every null): the interval that keeps probing within the overhead budget.
    probeEvery: { fallback: d.every ?? 0, min: 0, max: 100_000, integer: true },
    overheadBudget: { fallback: d.overheadBudget, min: 0.001, max: 1 },
    deadThreshold: { fallback: d.deadThreshold, min: 0, max: 1 },
    dormantTau: { fallback: d.dormantTau, min: 0, max: 1 },
    eluAlpha: { fallback: d.eluAlpha, min: 0.001, max: 100 },
  };
})();

type NumericSetting = keyof typeof NUMERIC_SETTINGS;

/** The default of every RunConfig setting, as package.json's `contributes.configuration` must declare it. */
export function settingDefaults(): Record<NumericSetting | 'backend' | 'data', number | string> {
  const d = defaultRunConfig();
  const numeric = Object.fromEntries(
    Object.entries(NUMERIC_SETTINGS).map(([key, s]) => [key, s.fallback]),
  ) as Record<NumericSetting, number>;
  return { ...numeric, backend: d.backend, data: d.data };
}

function num(get: SettingGetter, key: NumericSetting): number {
  const setting: { fallback: number; min: number; max: number; integer?: boolean } = NUMERIC_SETTINGS[key];
  const { fallback, min, max } = setting;
  const v = get(key);
  if (typeof v !== 'number' || !Number.isFinite(v)) return fallback;
  // settings.json may hold 12.5 where the schema says integer (VS Code only warns): the nearest one.
  const clamped = Math.min(max, Math.max(min, v));
  return setting.integer ? Math.round(clamped) : clamped;
}

export interface RunTarget {
  /** The model file, or null for the built-in example. */
  file: string | null;
  /** Folder that relative data paths are resolved against. */
  workspaceFolder: string | null;
}

/** `whatIf`: null for a plain analysis; otherwise the layers to switch (empty = every ReLU layer). */
export function buildRunConfig(
  get: SettingGetter,
  target: RunTarget,
  whatIf: { layers: string[] } | null = null,
): RunConfig {
  const defaults = defaultRunConfig();
  const backendSetting = get('backend');
  const backend = BACKENDS.includes(backendSetting as BackendName)
    ? (backendSetting as BackendName)
    : defaults.backend;
  const every = num(get, 'probeEvery');
  const dataSetting = get('data');
  let data = typeof dataSetting === 'string' && dataSetting.trim() ? dataSetting.trim() : defaults.data;
  if (data !== 'digits' && data !== 'fashion' && !isAbsolute(data) && target.workspaceFolder) {
    data = resolve(target.workspaceFolder, data);
  }
  return {
    ...defaults,
    file: target.file,
    example: target.file ? null : 'mnist-cnn',
    data,
    steps: num(get, 'steps'),
    probe: num(get, 'probeSize'),
    every: every === 0 ? null : Math.round(every),
    overheadBudget: num(get, 'overheadBudget'),
    backend,
    deadThreshold: num(get, 'deadThreshold'),
    dormantTau: num(get, 'dormantTau'),
    whatIf: whatIf ? 'elu' : null,
    whatIfLayers: whatIf && whatIf.layers.length > 0 ? whatIf.layers : null,
    eluAlpha: num(get, 'eluAlpha'),
  };
}
