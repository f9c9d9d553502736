/**
 * Text models read integer token ids through an Embedding: ids must be below its vocabulary
 * (`input_dim`), or the lookup reads outside the table — TF.js gathers garbage or fails mid-run.
 * Checked before step 0, naming the Embedding's line.
 */
import { UserError } from '../errors';
import { topologyLayers } from '../model/activation-of';
import type { ModelSpec, SourceLocation } from '../model/spec';
import type { Splits } from '../data/splits';

export interface EmbeddingInput {
  name: string;
  vocabulary: number | null;
  source: SourceLocation | null;
}

/** The first Embedding of the model (what reads the token ids), or null. */
export function embeddingInput(spec: ModelSpec): EmbeddingInput | null {
  const layer = topologyLayers(spec.topology).find((l) => l.class_name === 'Embedding');
  if (!layer) return null;
  const name = String(layer.config.name ?? layer.name ?? 'embedding');
  const dim = layer.config.input_dim;
  return {
    name,
    vocabulary: typeof dim === 'number' && dim > 0 ? dim : (spec.training.vocabularySize ?? null),
    source: spec.layers.find((l) => l.name === name)?.source ?? null,
  };
}

export function checkTokenIds(splits: Splits, spec: ModelSpec, hint: string): void {
  const embedding = embeddingInput(spec);
  if (!embedding?.vocabulary) return;
  const per = splits.sampleShape.reduce((a, b) => a * b, 1);
  const parts: [string, Float32Array, number][] = [
    ['training', splits.train.x, 0],
    ['held-out', splits.probe.x, 0],
    ['held-out', splits.validation.x, splits.probe.count],
  ];
  for (const [part, x, first] of parts) {
    for (let i = 0; i < x.length; i++) {
      if (x[i]! < embedding.vocabulary) continue;
      throw new UserError(
        `the Embedding ${embedding.name} has a vocabulary of ${embedding.vocabulary} (token ids 0–${embedding.vocabulary - 1}), but ${part} sample ${first + Math.floor(i / per)} of ${splits.name} holds token id ${x[i]}`,
        embedding.source?.file ?? spec.file,
        embedding.source?.line ?? null,
        `keep the ids below ${embedding.vocabulary} (e.g. num_words=${embedding.vocabulary} when tokenizing), or raise the Embedding's input size; ${hint}`,
      );
    }
  }
}
