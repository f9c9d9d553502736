/**
 * What the analysis CLI (cli.ts) and `experiment seed-grid` (whatif/seed-grid-command.ts) both
 * take, spelled once: the training budget, the seed, the probe set, the backend, the JSON report.
 */
import { UserError } from './errors';

export const TRAINING_OPTIONS = {
  epochs: { type: 'string' },
  steps: { type: 'string' },
  batch: { type: 'string' },
  seed: { type: 'string' },
  probe: { type: 'string' },
  backend: { type: 'string' },
  json: { type: 'string' },
  debug: { type: 'boolean', default: false },
} as const;

/** The one model file a command takes, or undefined for none. */
export function singleModelFile(positionals: string[]): string | undefined {
  if (positionals.length > 1)
    throw new UserError(
      `expected at most one model file, got ${positionals.length}: ${positionals.join(' ')}`,
    );
  return positionals[0];
}
