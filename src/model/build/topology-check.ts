/**
 * Checks a Keras JSON topology before anything walks it or TF.js builds it. TF.js' functional
 * deserializer re-queues a node until its parents exist, so a layer without `inbound_nodes`, a
 * reference to a missing layer or node, or a cycle makes `modelFromJSON` loop forever; recursive
 * walks overflow the stack on cycles or very deep JSON. Every walk here is iterative and bounded.
 */
import { UserError } from '../../errors';
import type { KerasLayerJson, KerasTopology } from '../spec';

/**
 * More layers than any real model (DenseNet-201 has ~700); TF.js builds a model with one nested
 * call per layer, and a 5,000-layer chain overflows its stack.
 */
export const MAX_LAYERS = 2_000;
/** Keras configs nest a few levels (layer → config → initializer → config); hostile ones thousands. */
const MAX_JSON_DEPTH = 64;
const MAX_JSON_NODES = 2_000_000;

const MODEL_CLASSES = new Set(['Sequential', 'Model', 'Functional']);
const OPTION_NAME = /^[a-z_][a-z0-9_]*$/;

export type NodeRef = [layer: string, node: number, tensor: number];

/** A functional model's graph: each layer's inbound nodes as lists of references. */
export interface CheckedGraph {
  layers: KerasLayerJson[];
  /** Layer name → its nodes, each a list of [layer, node, tensor] it takes as input. */
  nodes: Map<string, NodeRef[][]>;
  inputs: NodeRef[];
  outputs: NodeRef[];
}

type Fail = (why: string, layer?: string, hint?: string) => UserError;

const WIRING_HINT =
  'save or export the model again; a functional model needs every layer wired to existing layers, without cycles';

function failFor(file: string | null, lineOf: (layer: string) => number | null): Fail {
  return (why, layer, hint = 'save or export the model again') =>
    new UserError(why, file, layer ? lineOf(layer) : null, hint);
}

/** Depth and size of a JSON value, without recursion (a 10,000-deep array is a loop, not a stack). */
function checkJsonShape(value: unknown, fail: Fail): void {
  const stack: [unknown, number][] = [[value, 1]];
  let seen = 0;
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (++seen > MAX_JSON_NODES) throw fail(`the model config has more than ${MAX_JSON_NODES} values`);
    if (!v || typeof v !== 'object') continue;
    if (depth > MAX_JSON_DEPTH) throw fail(`the model config nests deeper than ${MAX_JSON_DEPTH} levels`);
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth + 1]);
  }
}

/** Refuses a model config nested or sized beyond any real one, before anything recursive reads it. */
export function checkConfigShape(config: unknown, file: string | null): void {
  checkJsonShape(
    config,
    failFor(file, () => null),
  );
}

export function topologyLayerList(topology: KerasTopology): unknown[] | null {
  const config = topology.config as unknown;
  if (Array.isArray(config)) return config;
  const layers = (config as { layers?: unknown } | null)?.layers;
  return Array.isArray(layers) ? layers : null;
}

function layerName(layer: KerasLayerJson): string {
  const n = layer.config.name ?? layer.name;
  return typeof n === 'string' ? n : '';
}

function refOf(value: unknown): NodeRef | null {
  if (!Array.isArray(value) || typeof value[0] !== 'string') return null;
  const node = value[1] ?? 0;
  const tensor = value[2] ?? 0;
  if (!Number.isSafeInteger(node) || !Number.isSafeInteger(tensor) || (node as number) < 0) return null;
  return [value[0], node as number, tensor as number];
}

/**
 * Validates the topology; for functional models returns the checked graph (null for Sequential).
 * `lineOf` maps a layer name to its source line where the model came from source code.
 */
export function checkTopology(
  topology: KerasTopology,
  file: string | null,
  lineOf: (layer: string) => number | null = () => null,
): CheckedGraph | null {
  const fail = failFor(file, lineOf);
  if (!topology || typeof topology !== 'object' || typeof topology.class_name !== 'string')
    throw fail('the model config has no class_name');
  if (!MODEL_CLASSES.has(topology.class_name))
    throw fail(
      `the model class '${topology.class_name.slice(0, 40)}' is not Sequential or a functional Model`,
    );
  checkJsonShape(topology.config, fail);
  const list = topologyLayerList(topology);
  if (!list || list.length === 0) throw fail('the model config lists no layers');
  if (list.length > MAX_LAYERS)
    throw fail(`the model has ${list.length} layers, above the limit of ${MAX_LAYERS}`);
  const names = new Set<string>();
  list.forEach((entry, i) => {
    const layer = entry as KerasLayerJson;
    if (
      !layer ||
      typeof layer !== 'object' ||
      typeof layer.class_name !== 'string' ||
      !layer.config ||
      typeof layer.config !== 'object' ||
      Array.isArray(layer.config)
    )
      throw fail(`layer #${i + 1} of the model config is not {class_name, config}`);
    const name = layerName(layer);
    // Keras and TF.js write snake_case option names; anything else is a damaged key (which TF.js
    // would silently ignore, building a layer with a default in its place).
    const odd = Object.keys(layer.config).find((k) => !OPTION_NAME.test(k));
    if (odd !== undefined)
      throw fail(
        `layer #${i + 1}${name ? ` ('${name}')` : ''} has an option named ${JSON.stringify(odd.slice(0, 40))}, which is not a Keras option name`,
        name || undefined,
      );
    if (name === '' && topology.class_name !== 'Sequential')
      throw fail(`layer #${i + 1} of the functional model has no name`);
    if (name !== '' && names.has(name)) throw fail(`two layers are named '${name}'`, name);
    if (name !== '') names.add(name);
  });
  if (topology.class_name === 'Sequential') return null;
  const wiring: Fail = (why, layer) => fail(why, layer, WIRING_HINT);
  return checkGraph(list as KerasLayerJson[], topology.config as Record<string, unknown>, wiring);
}

function checkGraph(layers: KerasLayerJson[], config: Record<string, unknown>, fail: Fail): CheckedGraph {
  const nodes = new Map<string, NodeRef[][]>();
  for (const layer of layers) {
    const name = layerName(layer);
    const inbound = layer.inbound_nodes;
    if (layer.class_name === 'InputLayer') {
      if (inbound !== undefined && (!Array.isArray(inbound) || inbound.length > 0))
        throw fail(`the input layer '${name}' has inbound nodes`, name);
      nodes.set(name, [[]]);
      continue;
    }
    if (!Array.isArray(inbound) || inbound.length === 0)
      throw fail(`layer '${name}' (${layer.class_name}) has no inbound_nodes: nothing feeds it`, name);
    nodes.set(
      name,
      inbound.map((node, k) => {
        // Keras 2 / TF.js: [[layer, node, tensor, kwargs], ...].
        if (!Array.isArray(node) || node.length === 0)
          throw fail(`inbound node ${k} of layer '${name}' is not a list of input references`, name);
        return node.map((r) => {
          const ref = refOf(r);
          if (!ref) throw fail(`inbound node ${k} of layer '${name}' has a malformed reference`, name);
          return ref;
        });
      }),
    );
  }
  const exists = (ref: NodeRef, whose: string): void => {
    const target = nodes.get(ref[0]);
    if (!target)
      throw fail(
        `layer '${whose}' takes its input from '${ref[0].slice(0, 60)}', which is not in the model`,
        whose,
      );
    if (ref[1] >= target.length)
      throw fail(
        `layer '${whose}' takes call ${ref[1]} of '${ref[0]}', which is called only ${target.length} time(s)`,
        whose,
      );
    if (ref[2] !== 0)
      throw fail(`layer '${whose}' takes output ${ref[2]} of '${ref[0]}', which has one output`, whose);
  };
  for (const [name, list] of nodes) for (const node of list) for (const ref of node) exists(ref, name);
  const ends = (key: string): NodeRef[] => {
    const raw = config[key];
    // Keras 3.0–3.3 wrote a single input/output as a bare triple.
    const items = refOf(raw) ? [raw] : Array.isArray(raw) ? raw : [];
    if (items.length === 0) throw fail(`the functional model's ${key} is missing`);
    return items.map((item) => {
      const ref = refOf(item);
      if (!ref) throw fail(`the functional model's ${key} has a malformed entry`);
      exists(ref, key);
      return ref;
    });
  };
  const inputs = ends('input_layers');
  const outputs = ends('output_layers');
  for (const ref of inputs) {
    const layer = layers.find((l) => layerName(l) === ref[0]);
    if (layer?.class_name !== 'InputLayer')
      throw fail(`input_layers names '${ref[0]}', which is not an InputLayer`, ref[0]);
  }
  findCycle(nodes, fail);
  return { layers, nodes, inputs, outputs };
}

/**
 * Call k of a layer exists only after call k−1 (TF.js creates a layer's nodes in order), so each
 * node depends on its inputs and on the layer's previous node; any cycle in that graph deadlocks.
 */
function findCycle(nodes: Map<string, NodeRef[][]>, fail: Fail): void {
  const state = new Map<string, 1 | 2>(); // 1: on the current path, 2: finished
  const parents = (layer: string, k: number): string[] => {
    const deps = nodes.get(layer)![k]!.map((r) => `${r[0]}#${r[1]}`);
    return k > 0 ? [...deps, `${layer}#${k - 1}`] : deps;
  };
  for (const [layer, list] of nodes)
    for (let k = 0; k < list.length; k++) {
      const start = `${layer}#${k}`;
      if (state.has(start)) continue;
      const stack: { key: string; next: string[] }[] = [{ key: start, next: parents(layer, k) }];
      state.set(start, 1);
      while (stack.length) {
        const top = stack[stack.length - 1]!;
        const child = top.next.pop();
        if (child === undefined) {
          state.set(top.key, 2);
          stack.pop();
          continue;
        }
        const s = state.get(child);
        if (s === 2) continue;
        const childLayer = child.slice(0, child.lastIndexOf('#'));
        if (s === 1) throw fail(`the layers form a cycle through '${childLayer}'`, childLayer);
        state.set(child, 1);
        stack.push({
          key: child,
          next: parents(childLayer, Number(child.slice(child.lastIndexOf('#') + 1))),
        });
      }
    }
}
