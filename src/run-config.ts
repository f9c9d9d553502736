/** RunConfig defaults, shared by the CLI and the extension's settings. */
import type { BackendName, RunConfig } from './protocol';

export const BACKENDS: BackendName[] = ['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu'];

export function defaultRunConfig(): RunConfig {
  return {
    file: null,
    example: null,
    data: 'digits',
    steps: null,
    epochs: null,
    batch: null,
    probe: 256,
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
