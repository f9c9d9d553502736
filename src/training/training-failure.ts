/**
 * A TF.js failure while a model is first set up, probed or trained (before its first step is done)
 * says where: the file, the layer TF.js names and its line, and what to do. Shapes and labels are
 * checked before step 0, so what still fails here is a model TF.js cannot train as it was read;
 * its own message stays, after that context. Later failures are not wrapped: they are ours.
 */
import { isUserError, UserError } from '../errors';
import type { LayerSpec, ModelSpec } from '../model/spec';

export type TrainingPhase = 'set up' | 'train' | 'evaluate';

/** The layer a TF.js message names: the longest spec name found as a whole word (dense_1 before dense). */
function namedLayer(message: string, layers: readonly LayerSpec[]): LayerSpec | undefined {
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return [...layers]
    .sort((a, b) => b.name.length - a.name.length)
    .find((l) => new RegExp(`(^|[^\\w])${escape(l.name)}([^\\w]|$)`).test(message));
}

export function explainTrainingFailure(
  e: unknown,
  model: Pick<ModelSpec, 'file' | 'layers'> | null,
  phase: TrainingPhase,
  outputs: readonly string[] = [],
): unknown {
  if (isUserError(e) || !(e instanceof Error) || !model) return e;
  const message = e.message.split('\n')[0]!.slice(0, 400);
  // TF.js names no layer when the targets do not fit: they are the outputs'.
  const output = /target/i.test(message) ? model.layers.find((l) => l.name === outputs[0]) : undefined;
  const layer = namedLayer(message, model.layers) ?? output;
  const source = layer?.source ?? model.layers.find((l) => l.source)?.source ?? null;
  return new UserError(
    `TF.js cannot ${phase} this model as it was read${layer ? `, at layer ${layer.name} (${layer.className})` : ''}: ${message}`,
    source?.file ?? model.file,
    layer?.source?.line ?? null,
    'check the shapes reaching this layer (the input: --input-shape; the data: --data PATH), or try another backend (--backend cpu); if the file is right, this is a bug of Activation Lens: please report it with the output of --debug',
  );
}
