/**
 * The defaults every run starts from: the CLI's flags, the extension's settings (package.json
 * declares the same values, a unit test checks) and the dashboard's thresholds before a report says
 * otherwise. Import-free (types of ./protocol only), so the webview may import it.
 */
import type { BackendName, RunConfig } from './protocol';

/** In the order the CLI's help and the settings' drop-down list them. */
export const BACKENDS: BackendName[] = ['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu'];

export function defaultRunConfig(): RunConfig {
  return {
    file: null,
    example: null,
    data: 'digits',
    // null: the model's own epochs (the CLI); the editor sets a short budget (extension/run-config.ts).
    steps: null,
    epochs: null,
    batch: null,
    probe: 256,
    // null: adaptive, probing as often as the overhead budget allows.
    every: null,
    overheadBudget: 0.03,
    backend: 'auto',
    seed: 42,
    learningRate: null,
    deadThreshold: 0.1,
    dormantTau: 0.025,
    whatIf: null,
    whatIfLayers: null,
    eluAlpha: 1.0,
  };
}
