/**
 * Which model of a file an analysis runs on, when the file defines several (a GAN's generator and
 * discriminator, a siamese backbone and head): the one a lens names, else the one picked for this
 * file earlier in the session, else the person picks it from a quick pick. Remembered per file for
 * the session only: a new window asks again, so a choice never silently outlives the file's models.
 */
import type { ModelSpec } from '../src/model/spec';

export interface ModelPickItem {
  label: string;
  description: string;
  /** The model name passed to the engine (`--model NAME`). */
  model: string;
}

/** Shows the items and resolves with the one picked, or undefined when dismissed. */
export type AskModel = (items: ModelPickItem[], title: string) => Thenable<ModelPickItem | undefined>;

export class ModelChoices {
  private readonly chosen = new Map<string, string>();

  remembered(file: string): string | undefined {
    return this.chosen.get(file);
  }

  remember(file: string, model: string): void {
    this.chosen.set(file, model);
  }
}

/** The models of a parsed file, the analysed-by-default one first. */
export function modelsOf(spec: ModelSpec): ModelPickItem[] {
  const line = (l: number | undefined) => (l ? `line ${l}` : '');
  return [
    {
      label: spec.name,
      description: [line(spec.definition?.line), 'analysed by default'].filter(Boolean).join(' · '),
      model: spec.name,
    },
    ...(spec.alternatives ?? []).map((a) => ({ label: a.name, description: line(a.line), model: a.name })),
  ];
}

/**
 * The `--model` of a run on `file`: a name, null when the file defines one model (nothing to
 * choose), or undefined when the person dismissed the pick (no run).
 */
export async function chooseModel(
  file: string,
  spec: ModelSpec | null,
  named: string | null,
  choices: ModelChoices,
  ask: AskModel,
): Promise<string | null | undefined> {
  const models = spec && (spec.alternatives?.length ?? 0) > 0 ? modelsOf(spec) : [];
  if (named) {
    // A lens names its model; remembered so the next Analyze (title bar, palette) runs it again.
    if (models.length > 0) choices.remember(file, named);
    return named;
  }
  if (models.length === 0) return null;
  const before = choices.remembered(file);
  if (before && models.some((m) => m.model === before)) return before;
  const picked = await ask(
    models,
    `${file.split(/[\\/]/).pop()} defines ${models.length} models — analyze which?`,
  );
  if (!picked) return undefined;
  choices.remember(file, picked.model);
  return picked.model;
}
