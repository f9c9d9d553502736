/**
 * A text model (an Embedding reading integer token ids) cannot train on the bundled digits, and
 * Activation Lens ships no text data: the refusal says what data the model wants and how to give it.
 */
import { UserError } from '../errors';
import type { ModelSpec } from '../model/spec';
import { embeddingInput } from '../training/token-ids';

export function refuseBuiltInForTokens(spec: ModelSpec, data: string, hint: string): never {
  const embedding = embeddingInput(spec);
  const t = spec.training;
  const through = embedding
    ? `the Embedding ${embedding.name}${embedding.source ? ` (line ${embedding.source.line})` : ''}`
    : 'an Embedding';
  const details = [
    embedding?.vocabulary ? `vocabulary ${embedding.vocabulary}` : null,
    t.sequenceLength ? `${t.sequenceLength} tokens per sample` : null,
  ].filter((s): s is string => s !== null);
  const loads = t.dataset ? ` (the script loads keras.datasets.${t.dataset}, which is not bundled)` : '';
  const example = t.dataset
    ? `; e.g. in the script, after pad_sequences: numpy.savez("${t.dataset}.npz", x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)`
    : '';
  throw new UserError(
    `the model reads integer token ids through ${through}${details.length ? `: ${details.join(', ')}` : ''}, and the bundled ${data} are images; Activation Lens ships no text data${loads}`,
    embedding?.source?.file ?? spec.file,
    embedding?.source?.line ?? null,
    `${hint}${example}`,
  );
}
