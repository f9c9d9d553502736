/**
 * What the e2e suite knows about its example script (workspace/mnist_cnn.py): the layers with a
 * ReLU, their Keras auto-names and their 1-based lines. Expected values, written by hand from
 * the fixture; `checkExampleFixture` fails loudly if someone edits the file without updating them.
 */
import { readFileSync } from 'node:fs';

export const EXAMPLE_SCRIPT = 'mnist_cnn.py';

export interface ExpectedLayer {
  name: string;
  /** 1-based line of the layer's definition. */
  line: number;
}

export const RELU_LAYERS: readonly ExpectedLayer[] = [
  { name: 'conv2d', line: 26 },
  { name: 'conv2d_1', line: 29 },
  { name: 'dense', line: 33 },
];

/** The softmax output layer: it must get no ReLU lens and no dead-unit diagnostic. */
export const SOFTMAX_LINE = 34;

/** Throws when the fixture's lines no longer match the table above. */
export function checkExampleFixture(scriptPath: string): void {
  const lines = readFileSync(scriptPath, 'utf8').split('\n');
  for (const { name, line } of RELU_LAYERS) {
    if (!lines[line - 1]?.includes("activation='relu'")) {
      throw new Error(
        `${scriptPath}:${line}: expected the ReLU layer ${name} here; update test/e2e/example-model.ts`,
      );
    }
  }
  if (!lines[SOFTMAX_LINE - 1]?.includes("activation='softmax'")) {
    throw new Error(
      `${scriptPath}:${SOFTMAX_LINE}: expected the softmax layer here; update test/e2e/example-model.ts`,
    );
  }
}
