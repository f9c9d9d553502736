/**
 * An ELU layer with any α. tfjs-layers 4.22's ELU throws for α ≠ 1, yet Keras scripts use other
 * values (the seed article's `elu_alpha = 0.1`) and the what-if makes α configurable. This class
 * takes over the 'ELU' class name in TF.js's serialization registry, so Keras configs with any α
 * build: f(x) = x for x > 0, α(exp(x) − 1) otherwise (the same as TF.js's ELU for α = 1).
 */
import type * as tfType from '@tensorflow/tfjs';
import type { Tf } from '../../backend/tf';

const registered = new WeakSet<object>();

/** Registers the α-aware ELU for this TF.js module (idempotent; tfjs-node brings its own module). */
export function registerEluLayer(tf: Tf): void {
  if (registered.has(tf.serialization)) return;

  class ELU extends tf.layers.Layer {
    static className = 'ELU';
    readonly alpha: number;

    constructor(args: tfType.serialization.ConfigDict & { alpha?: number | null } = {}) {
      super(args as never);
      this.alpha = typeof args.alpha === 'number' ? args.alpha : 1.0;
      if (!(this.alpha > 0)) throw new Error(`ELU alpha must be > 0, got ${args.alpha}`);
    }

    override call(inputs: tfType.Tensor | tfType.Tensor[]): tfType.Tensor {
      const x = Array.isArray(inputs) ? inputs[0]! : inputs;
      // relu(x) + α·elu(min(x, 0)): differentiable everywhere the ELU is.
      return tf.tidy(() =>
        this.alpha === 1 ? tf.elu(x) : tf.relu(x).add(tf.elu(tf.minimum(x, 0)).mul(this.alpha)),
      );
    }

    override computeOutputShape(inputShape: tfType.Shape | tfType.Shape[]): tfType.Shape | tfType.Shape[] {
      return inputShape;
    }

    override getConfig(): tfType.serialization.ConfigDict {
      return { ...super.getConfig(), alpha: this.alpha };
    }
  }
  tf.serialization.registerClass(ELU);
  registered.add(tf.serialization);
}
