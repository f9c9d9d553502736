/** Loader for a TF.js layers-model `model.json` and its binary weight shards. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UserError } from '../../errors';
import { layerSpecsFromTopology } from '../activation-of';
import { jsonErrorLine } from './json-error-line';
import type { KerasTopology, ModelSpec, NamedWeight } from '../spec';

interface WeightEntry {
  name: string;
  shape: number[];
  dtype?: string;
  quantization?: { dtype: 'uint8' | 'uint16' | 'float16'; scale?: number; min?: number };
}
interface ManifestGroup {
  paths: string[];
  weights: WeightEntry[];
}

function parseJson(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UserError(`cannot read the model file (${(e as NodeJS.ErrnoException).code ?? 'error'})`, file);
  }
  try {
    const value: unknown = JSON.parse(text);
    if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error('not an object');
    return value as Record<string, unknown>;
  } catch (e) {
    const line = jsonErrorLine(text);
    throw new UserError(
      `corrupt model.json: ${(e as Error).message}`,
      file,
      line,
      'export the model again with model.save()',
    );
  }
}

function decode(entry: WeightEntry, bytes: Uint8Array, file: string): Float32Array {
  const count = entry.shape.reduce((a, b) => a * b, 1);
  const q = entry.quantization;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(count);
  if (q) {
    if (q.dtype === 'float16')
      throw new UserError(`weight '${entry.name}' is float16-quantized, which is not supported`, file);
    const step = q.dtype === 'uint8' ? 1 : 2;
    for (let i = 0; i < count; i++) {
      const v = step === 1 ? view.getUint8(i) : view.getUint16(2 * i, true);
      out[i] = v * (q.scale ?? 1) + (q.min ?? 0);
    }
    return out;
  }
  const dtype = entry.dtype ?? 'float32';
  if (dtype === 'float32') for (let i = 0; i < count; i++) out[i] = view.getFloat32(4 * i, true);
  else if (dtype === 'int32') for (let i = 0; i < count; i++) out[i] = view.getInt32(4 * i, true);
  else throw new UserError(`weight '${entry.name}' has dtype ${dtype}, which is not supported`, file);
  return out;
}

function byteSize(entry: WeightEntry): number {
  const count = entry.shape.reduce((a, b) => a * b, 1);
  const q = entry.quantization;
  return count * (q ? (q.dtype === 'uint8' ? 1 : 2) : entry.dtype === 'bool' ? 1 : 4);
}

export function loadTfjsModelJson(file: string): ModelSpec {
  const json = parseJson(file);
  let topology = json.modelTopology as Record<string, unknown> | undefined;
  if (!topology) {
    throw new UserError(
      json.format === 'graph-model'
        ? 'this is a TF.js graph model; only layers models can be analysed'
        : 'model.json has no modelTopology',
      file,
      null,
      'save the model with tf.LayersModel.save() or convert it with --output_format=tfjs_layers_model',
    );
  }
  if (topology.model_config) topology = topology.model_config as Record<string, unknown>;
  if (typeof topology.class_name !== 'string' || !topology.config)
    throw new UserError('modelTopology is not a Keras model config', file);
  const manifest = (json.weightsManifest ?? []) as ManifestGroup[];
  const weights: NamedWeight[] = [];
  for (const group of manifest) {
    const chunks = group.paths.map((p) => {
      const path = join(dirname(file), p);
      if (!existsSync(path))
        throw new UserError(
          `the weight shard '${p}' is missing`,
          file,
          null,
          'keep the .bin files next to model.json',
        );
      return new Uint8Array(readFileSync(path));
    });
    const total = chunks.reduce((n, c) => n + c.length, 0);
    const buffer = new Uint8Array(total);
    let offset = 0;
    for (const c of chunks) {
      buffer.set(c, offset);
      offset += c.length;
    }
    offset = 0;
    for (const entry of group.weights) {
      const size = byteSize(entry);
      if (offset + size > buffer.length) {
        throw new UserError(
          `the weight shards are too short for '${entry.name}' (${buffer.length} bytes)`,
          file,
          null,
          'the .bin files are truncated or belong to another model',
        );
      }
      weights.push({
        name: entry.name,
        shape: entry.shape,
        values: decode(entry, buffer.subarray(offset, offset + size), file),
      });
      offset += size;
    }
  }
  const keras = topology as unknown as KerasTopology;
  return {
    name: String((keras.config as { name?: unknown }).name ?? 'model'),
    origin: 'tfjs-json',
    file,
    topology: keras,
    layers: layerSpecsFromTopology(keras),
    ...(weights.length ? { weights } : {}),
    training: {},
    issues: [],
  };
}
