/**
 * Settings (`activationLens.*`) → the engine's RunConfig. Pure: the caller passes a getter, so the
 * mapping and its defaults are unit-tested without VS Code.
 */
import { isAbsolute, resolve } from 'node:path';
import type { BackendName, RunConfig } from '../src/protocol';

/** Reads one setting below `activationLens.`; returns undefined when unset. */
export type SettingGetter = (key: string) => unknown;

export const DEFAULT_SEED = 42;
const BACKENDS: readonly BackendName[] = ['auto', 'webgpu', 'tensorflow', 'wasm', 'cpu'];

function num(get: SettingGetter, key: string, fallback: number, min: number, max: number): number {
  const v = get(key);
  return typeof v === 'number' && Number.isFinite(v) ? Math.min(max, Math.max(min, v)) : fallback;
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
  const backendSetting = get('backend');
  const backend = BACKENDS.includes(backendSetting as BackendName) ? (backendSetting as BackendName) : 'auto';
  const every = num(get, 'probeEvery', 0, 0, 100_000);
  let data =
    typeof get('data') === 'string' && (get('data') as string).trim()
      ? (get('data') as string).trim()
      : 'digits';
  if (data !== 'digits' && data !== 'fashion' && !isAbsolute(data) && target.workspaceFolder) {
    data = resolve(target.workspaceFolder, data);
  }
  return {
    file: target.file,
    example: target.file ? null : 'mnist-cnn',
    data,
    steps: num(get, 'steps', 300, 1, 1_000_000),
    epochs: null,
    batch: null,
    probe: num(get, 'probeSize', 256, 8, 100_000),
    every: every === 0 ? null : Math.round(every),
    overheadBudget: num(get, 'overheadBudget', 0.03, 0.001, 1),
    backend,
    seed: DEFAULT_SEED,
    learningRate: null,
    deadThreshold: num(get, 'deadThreshold', 0.1, 0, 1),
    dormantTau: num(get, 'dormantTau', 0.025, 0, 1),
    whatIf: whatIf ? 'elu' : null,
    whatIfLayers: whatIf && whatIf.layers.length > 0 ? whatIf.layers : null,
    eluAlpha: num(get, 'eluAlpha', 1.0, 0.001, 100),
  };
}
