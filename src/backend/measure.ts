/**
 * A short measured probe for `--backend auto`: training steps of a CNN shaped like the reference one
 * (conv 32 → conv 64 → dense 256, both conv gradients, Adam) on each route, so the choice follows
 * measured speed on this machine, not a name (a software WebGPU adapter is slower than wasm; a real
 * GPU is not). A smaller probe model ranked libtensorflow level with wasm, though it trains the
 * reference CNN ~5× faster: the probe has to be big enough for the difference to show.
 */
import type { Tf } from './tf';

const BATCH = 64;
/** Timed steps run until this much time has passed (at least one): slow routes cost little. */
const TIME_BOX_MS = 400;
const MAX_STEPS = 5;

/** Samples per second of the probe workload on the current backend of `tf`. */
export async function measureTrainingSpeed(tf: Tf): Promise<number> {
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({
        inputShape: [28, 28, 1],
        filters: 32,
        kernelSize: 3,
        activation: 'relu',
        kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
      }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({
        filters: 64,
        kernelSize: 3,
        activation: 'relu',
        kernelInitializer: tf.initializers.glorotUniform({ seed: 5 }),
      }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({
        units: 256,
        activation: 'relu',
        kernelInitializer: tf.initializers.glorotUniform({ seed: 6 }),
      }),
      tf.layers.dense({
        units: 10,
        activation: 'softmax',
        kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }),
      }),
    ],
  });
  const optimizer = tf.train.adam(0.001);
  model.compile({ optimizer, loss: 'categoricalCrossentropy' });
  const x = tf.randomUniform([BATCH, 28, 28, 1], 0, 1, 'float32', 3);
  const y = tf.tidy(() => tf.oneHot(tf.randomUniform([BATCH], 0, 10, 'int32', 4), 10).cast('float32'));
  try {
    await model.trainOnBatch(x, y); // warm-up: kernel compilation, shader pipelines
    const t0 = performance.now();
    let steps = 0;
    do {
      await model.trainOnBatch(x, y);
      steps++;
    } while (steps < MAX_STEPS && performance.now() - t0 < TIME_BOX_MS);
    return (steps * BATCH) / ((performance.now() - t0) / 1000);
  } finally {
    x.dispose();
    y.dispose();
    model.dispose();
    optimizer.dispose();
  }
}
