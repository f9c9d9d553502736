/**
 * The built-in example: the reference CNN from the seed article (MachineCurve's Keras MNIST CNN):
 * Conv2D 32 3×3 ReLU → MaxPool 2 → Dropout .25 → Conv2D 64 3×3 ReLU → MaxPool 2 → Dropout .25 →
 * Flatten → Dense 256 ReLU → Dense 10 softmax; Adam; batch 250; Glorot (Keras default) init.
 */
import type { KerasLayerJson, LayerSpec, ModelSpec } from './spec';

export const EXAMPLES = ['mnist-cnn'] as const;
export type ExampleName = (typeof EXAMPLES)[number];

const layer = (class_name: string, config: Record<string, unknown>): KerasLayerJson => ({
  class_name,
  config,
});

export function referenceCnn(): ModelSpec {
  const layers: KerasLayerJson[] = [
    layer('Conv2D', {
      name: 'conv2d',
      filters: 32,
      kernel_size: [3, 3],
      activation: 'relu',
      batch_input_shape: [null, 28, 28, 1],
    }),
    layer('MaxPooling2D', { name: 'max_pooling2d', pool_size: [2, 2] }),
    layer('Dropout', { name: 'dropout', rate: 0.25 }),
    layer('Conv2D', { name: 'conv2d_1', filters: 64, kernel_size: [3, 3], activation: 'relu' }),
    layer('MaxPooling2D', { name: 'max_pooling2d_1', pool_size: [2, 2] }),
    layer('Dropout', { name: 'dropout_1', rate: 0.25 }),
    layer('Flatten', { name: 'flatten' }),
    layer('Dense', { name: 'dense', units: 256, activation: 'relu' }),
    layer('Dense', { name: 'dense_1', units: 10, activation: 'softmax' }),
  ];
  const specs: LayerSpec[] = layers.map((l) => ({
    name: String(l.config.name),
    className: l.class_name,
    activation: typeof l.config.activation === 'string' ? l.config.activation : null,
    kernelInitializer: l.class_name === 'Conv2D' || l.class_name === 'Dense' ? 'glorot_uniform' : null,
    source: null,
  }));
  return {
    name: 'mnist-cnn',
    origin: 'example',
    file: null,
    topology: { class_name: 'Sequential', config: { name: 'mnist_cnn', layers } },
    layers: specs,
    training: {
      optimizer: 'adam',
      learningRate: 0.001,
      loss: 'categorical_crossentropy',
      batchSize: 250,
      dataset: 'mnist',
    },
    issues: [],
  };
}

export function exampleSpec(name: string): ModelSpec | null {
  return name === 'mnist-cnn' ? referenceCnn() : null;
}
