/**
 * Both what-if arms start from the same weights wherever shapes match: arm A's initial (or saved)
 * weights are copied into arm B layer by layer, weight by weight. Kernels arm B deliberately
 * re-initialises (He init on switched layers) keep B's own draw — that difference is the point of
 * the experiment, and the report says which weights it covers.
 */
import type * as tfType from '@tensorflow/tfjs';

export interface SharedWeights {
  /** Weights copied from A into B, as `layer/weight`. */
  copied: string[];
  /** B's weights kept as B drew them (He-initialised kernels), as `layer/weight`. */
  ownInit: string[];
  /** B's weights with no same-shaped counterpart in A. */
  unmatched: string[];
}

function shortName(v: tfType.LayerVariable, layer: string): string {
  const base = v.originalName.split('/').pop() ?? v.originalName;
  return `${layer}/${base}`;
}

/**
 * Copies every weight of `from` into the same-named layer of `to` where the shapes match, except
 * the kernels of `keepKernelsOf` (layers B re-initialised on purpose).
 */
export function copyMatchingWeights(
  from: tfType.LayersModel,
  to: tfType.LayersModel,
  keepKernelsOf: Set<string>,
): SharedWeights {
  const result: SharedWeights = { copied: [], ownInit: [], unmatched: [] };
  for (const target of to.layers) {
    const source = from.layers.find((l) => l.name === target.name);
    const targetWeights = target.weights;
    if (targetWeights.length === 0) continue;
    const sourceWeights = source?.weights ?? [];
    const values: tfType.Tensor[] = [];
    let changed = false;
    targetWeights.forEach((w, i) => {
      const name = shortName(w, target.name);
      const s = sourceWeights[i];
      const sameShape =
        s !== undefined && s.shape.length === w.shape.length && s.shape.every((d, k) => d === w.shape[k]);
      if (keepKernelsOf.has(target.name) && /kernel/.test(name)) {
        result.ownInit.push(name);
        values.push(w.read());
      } else if (sameShape) {
        result.copied.push(name);
        values.push(s.read());
        changed = true;
      } else {
        result.unmatched.push(name);
        values.push(w.read());
      }
    });
    if (changed) target.setWeights(values);
  }
  return result;
}
