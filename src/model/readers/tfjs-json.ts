/**
 * Loader for a TF.js layers-model `model.json` and its binary weight shards. The manifest is
 * validated before any shard is opened (shapes are lists of sizes, dtypes are known, the bytes it
 * needs are within a limit), and shards are read only as regular files inside the model's folder
 * whose sizes add up to exactly what the manifest needs (src/io/contained-file.ts).
 */
import { dirname } from 'node:path';
import { UserError } from '../../errors';
import { formatBytes, quotedName, readInside, readNamedFile, sizeInside } from '../../io/contained-file';
import { layerSpecsFromTopology } from '../activation-of';
import { checkTopology } from '../build/topology-check';
import { halfToNumber } from '../../io/float16';
import { checkFiniteWeights } from './finite-weights';
import { jsonErrorLine } from './json-error-line';
import type { KerasTopology, ModelSpec, NamedWeight } from '../spec';

/** model.json files are topology text; the weights live in the shards. */
const MAX_MODEL_JSON_BYTES = 64 * 1024 * 1024;
/** All weights of one model as float32: a limit the model-memory estimate (src/model/build) repeats. */
export const MAX_WEIGHT_BYTES = 1024 * 1024 * 1024;
const MAX_RANK = 8;
const RESAVE = 'export the model again with model.save()';

type Quantization = { dtype: 'uint8' | 'uint16' | 'float16'; scale: number; min: number };

interface WeightEntry {
  name: string;
  shape: number[];
  count: number;
  dtype: 'float32' | 'int32' | 'float16';
  quantization: Quantization | null;
}
interface ManifestGroup {
  paths: string[];
  weights: WeightEntry[];
  bytes: number;
}

function parseJson(file: string): Record<string, unknown> {
  const text = readNamedFile(
    file,
    'the model file',
    MAX_MODEL_JSON_BYTES,
    'a model.json holds only the topology; keep the weights in .bin shards',
  ).toString('utf8');
  try {
    const value: unknown = JSON.parse(text);
    if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error('not an object');
    return value as Record<string, unknown>;
  } catch (e) {
    const line = jsonErrorLine(text);
    throw new UserError(`corrupt model.json: ${(e as Error).message}`, file, line, RESAVE);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  !!v && typeof v === 'object' && !Array.isArray(v);

/** Checks every manifest entry before a shard is touched; sizes in bytes as stored. */
function readManifest(value: unknown, file: string): ManifestGroup[] {
  const bad = (where: string, why: string): UserError =>
    new UserError(`the weights manifest ${where} ${why}`, file, null, RESAVE);
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw bad('(weightsManifest)', 'is not a list of weight groups');
  let total = 0;
  return value.map((group: unknown, g) => {
    if (!isObject(group) || !Array.isArray(group.paths) || !Array.isArray(group.weights))
      throw bad(`group ${g + 1}`, 'is not {paths: [...], weights: [...]}');
    if (group.paths.length === 0 && group.weights.length > 0)
      throw bad(`group ${g + 1}`, 'names no shard files');
    if (!group.paths.every((p): p is string => typeof p === 'string'))
      throw bad(`group ${g + 1}`, 'has a shard path that is not a string');
    let bytes = 0;
    const weights = group.weights.map((entry: unknown, w): WeightEntry => {
      const where = `entry ${w + 1} of group ${g + 1}`;
      if (!isObject(entry) || typeof entry.name !== 'string') throw bad(where, 'has no name');
      const name = quotedName(entry.name);
      const shape = entry.shape;
      if (
        !Array.isArray(shape) ||
        shape.length > MAX_RANK ||
        !shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)
      )
        throw bad(
          `weight ${name}`,
          `has shape ${JSON.stringify(shape)?.slice(0, 40)}, not a list of at most ${MAX_RANK} sizes`,
        );
      const dims = shape as number[];
      const count = dims.reduce((a, b) => a * b, 1);
      const dtype = entry.dtype ?? 'float32';
      if (dtype !== 'float32' && dtype !== 'int32' && dtype !== 'float16')
        throw bad(
          `weight ${name}`,
          `has dtype ${JSON.stringify(dtype)?.slice(0, 20)} (float32, int32 and float16 are read)`,
        );
      const quantization = quantizationOf(entry.quantization, (why) => bad(`weight ${name}`, why));
      const itemBytes = quantization ? (quantization.dtype === 'uint8' ? 1 : 2) : dtype === 'float16' ? 2 : 4;
      total += count * 4;
      if (total > MAX_WEIGHT_BYTES)
        throw new UserError(
          `the model's weights need more than ${formatBytes(MAX_WEIGHT_BYTES)} as float32 (at weight ${name}, shape [${dims.join(', ')}]), above the limit`,
          file,
          null,
          'analyze a smaller model',
        );
      bytes += count * itemBytes;
      return { name: entry.name, shape: dims, count, dtype, quantization };
    });
    return { paths: group.paths as string[], weights, bytes };
  });
}

function quantizationOf(value: unknown, bad: (why: string) => UserError): Quantization | null {
  if (value === undefined || value === null) return null;
  if (!isObject(value) || (value.dtype !== 'uint8' && value.dtype !== 'uint16' && value.dtype !== 'float16'))
    throw bad('has a quantization that is not uint8, uint16 or float16');
  const scale = value.scale ?? 1;
  const min = value.min ?? 0;
  if (
    typeof scale !== 'number' ||
    typeof min !== 'number' ||
    !Number.isFinite(scale) ||
    !Number.isFinite(min)
  )
    throw bad('has a quantization scale or min that is not a finite number');
  return { dtype: value.dtype, scale, min };
}

function decode(entry: WeightEntry, bytes: Uint8Array): Float32Array {
  const { count } = entry;
  const q = entry.quantization;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(count);
  // float16 (quantized or stored so) widens exactly to float32: every half is a float32.
  if (q?.dtype === 'float16' || (!q && entry.dtype === 'float16'))
    for (let i = 0; i < count; i++) out[i] = halfToNumber(view.getUint16(2 * i, true));
  else if (q) {
    const step = q.dtype === 'uint8' ? 1 : 2;
    for (let i = 0; i < count; i++) {
      const v = step === 1 ? view.getUint8(i) : view.getUint16(2 * i, true);
      out[i] = v * q.scale + q.min;
    }
  } else if (entry.dtype === 'float32') for (let i = 0; i < count; i++) out[i] = view.getFloat32(4 * i, true);
  else for (let i = 0; i < count; i++) out[i] = view.getInt32(4 * i, true);
  return out;
}

/** A group's shards, concatenated, after checking they add up to exactly the bytes it needs. */
function readShards(group: ManifestGroup, file: string): Uint8Array {
  const hint =
    'keep the .bin shards as regular files in the folder of model.json, as model.save() wrote them';
  const at = (name: string) => ({
    folder: dirname(file),
    name,
    namedIn: file,
    what: 'the weight shard',
    hint,
  });
  const sizes = group.paths.map((p) => sizeInside(at(p)));
  const total = sizes.reduce((a, b) => a + b, 0);
  if (total !== group.bytes) {
    throw new UserError(
      `the weight shards ${group.paths.slice(0, 3).map(quotedName).join(', ')}${group.paths.length > 3 ? ' …' : ''} hold ${total} bytes but the manifest's weights need ${group.bytes}`,
      file,
      null,
      'the .bin files are truncated or belong to another model; export the model again with model.save()',
    );
  }
  const buffer = new Uint8Array(total);
  let offset = 0;
  group.paths.forEach((p, i) => {
    const chunk = readInside(at(p), sizes[i]!, hint);
    if (chunk.length !== sizes[i])
      throw new UserError(
        `the weight shard ${quotedName(p)} changed while it was read`,
        file,
        null,
        'try again',
      );
    buffer.set(chunk, offset);
    offset += chunk.length;
  });
  return buffer;
}

export function loadTfjsModelJson(file: string): ModelSpec {
  const json = parseJson(file);
  let topology = json.modelTopology;
  if (!isObject(topology)) {
    throw new UserError(
      json.format === 'graph-model'
        ? 'this is a TF.js graph model; only layers models can be analysed'
        : 'model.json has no modelTopology',
      file,
      null,
      'save the model with tf.LayersModel.save() or convert it with --output_format=tfjs_layers_model',
    );
  }
  if (isObject(topology.model_config)) topology = topology.model_config;
  if (
    !isObject(topology) ||
    typeof topology.class_name !== 'string' ||
    !topology.config ||
    typeof topology.config !== 'object'
  )
    throw new UserError('modelTopology is not a Keras model config', file, null, RESAVE);
  const keras = topology as unknown as KerasTopology;
  // The graph is checked before anything walks it (layer specs, weight order, TF.js).
  checkTopology(keras, file);
  const manifest = readManifest(json.weightsManifest, file);
  const weights: NamedWeight[] = [];
  for (const group of manifest) {
    const buffer = readShards(group, file);
    let offset = 0;
    for (const entry of group.weights) {
      const size =
        entry.count *
        (entry.quantization
          ? entry.quantization.dtype === 'uint8'
            ? 1
            : 2
          : entry.dtype === 'float16'
            ? 2
            : 4);
      weights.push({
        name: entry.name,
        shape: entry.shape,
        values: decode(entry, buffer.subarray(offset, offset + size)),
      });
      offset += size;
    }
  }
  checkFiniteWeights(weights, file);
  return {
    name: String((keras.config as { name?: unknown }).name ?? 'model').slice(0, 200),
    origin: 'tfjs-json',
    file,
    topology: keras,
    layers: layerSpecsFromTopology(keras),
    ...(weights.length ? { weights } : {}),
    training: {},
    issues: [],
  };
}
