/**
 * A parser process for the tests (dist-test/…/hostile-parser.child.js): the production serving
 * loop (src/parse-serve.ts, with its parent watchdog) around a parse function that misbehaves on
 * demand, so the limits are tested against behaviour that does not depend on how well the real
 * readers are budgeted: `spin` never returns, `grow` grows a Map past any heap (the allocation
 * shape that aborts a whole process from inside a worker thread), anything else parses to a tiny
 * spec with one layer.
 */
import type { ModelSpec } from '../../../src/model/spec';
import { serveParses } from '../../../src/parse-serve';

function hostileParse(file: string, text: string): ModelSpec {
  if (text === 'spin') for (;;);
  if (text === 'grow') {
    const grown = new Map<number, number[]>();
    for (let i = 0; ; i++) grown.set(i, [i]);
  }
  return {
    name: 'tiny',
    origin: 'keras-py',
    file,
    topology: { class_name: 'Sequential', config: { layers: [] } },
    layers: [{ name: 'dense', className: 'Dense', activation: 'relu', source: { file, line: 1, column: 1 } }],
    training: {},
    issues: [],
  };
}

serveParses(hostileParse);
