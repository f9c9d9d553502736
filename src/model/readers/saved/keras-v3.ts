/**
 * Loader for Keras 3 `.keras` files: a zip of `metadata.json`, `config.json` and
 * `model.weights.h5`. Keras 3 addresses a layer's variables not by its name but by its class:
 * `layers/<snake_case class>[_n]/vars/<i>`, where `_n` counts earlier layers of the same class in
 * `model.layers` order (keras/src/saving/saving_lib.py, `_save_container_state`).
 */
import { UserError } from '../../../errors';
import { ZipArchive } from '../../../io/zip-archive';
import type { KerasLayerJson, ModelSpec } from '../../spec';
import { expectKerasKind } from './file-kind';
import { isDataset, isGroup, isNumeric, MAX_DATASET_BYTES, openHdf5, type Hdf5File } from './hdf5';
import { translateModelConfig } from './keras-config';
import { checkConfigShape, checkTopology } from '../../build/topology-check';
import { kerasSnakeCase } from './layer-weights';
import {
  refuseStrayWeights,
  savedModelSpec,
  trainingFromCompileConfig,
  type StoredArray,
} from './saved-spec';

const CONFIG = 'config.json';
const METADATA = 'metadata.json';
const WEIGHTS = 'model.weights.h5';

/** Loads a Keras 3 `.keras` model (config + weights) into a ModelSpec with origin 'keras-v3'. */
export async function loadKerasV3(bytes: Uint8Array, file: string): Promise<ModelSpec> {
  expectKerasKind(bytes, file, 'zip');
  const archive = ZipArchive.open(
    bytes,
    file,
    'the .keras archive',
    'the file may be truncated; copy or save it again with model.save("model.keras")',
  );
  const member = (name: string, maxBytes: number): Uint8Array | undefined =>
    archive.has(name) ? archive.read(name, maxBytes, 'analyze a smaller model') : undefined;
  const configBytes = member(CONFIG, MAX_JSON_BYTES);
  if (!configBytes) {
    throw new UserError(
      `the archive has no ${CONFIG}, so it is not a Keras 3 model file`,
      file,
      null,
      'save the model with model.save("model.keras")',
    );
  }
  const metadata = parseJson(member(METADATA, MAX_JSON_BYTES), METADATA, file);
  const config = parseJson(configBytes, CONFIG, file);
  const kerasVersion = typeof metadata?.keras_version === 'string' ? metadata.keras_version : '3';
  checkConfigShape(config, file);
  const translated = translateModelConfig(config, { file, kerasVersion });
  checkTopology(translated.topology, file);
  const weightBytes = member(WEIGHTS, MAX_DATASET_BYTES * 2);
  if (!weightBytes) {
    const npz = archive.has('model.weights.npz');
    throw new UserError(
      npz
        ? 'the archive stores its weights as model.weights.npz, which is not supported'
        : `the archive has no ${WEIGHTS}: it holds an architecture without weights`,
      file,
      null,
      'save the model with model.save("model.keras") (default h5 weights format)',
    );
  }
  const h5 = await openHdf5(weightBytes, file, `${WEIGHTS} inside the archive`);
  try {
    const paths = weightPaths(translated.layers);
    // tf.keras 2.13–2.15 wrote the same layout under `_layer_checkpoint_dependencies`.
    const root = isGroup(h5.get('layers'))
      ? 'layers'
      : isGroup(h5.get('_layer_checkpoint_dependencies'))
        ? '_layer_checkpoint_dependencies'
        : 'layers';
    // Every variable is located and checked first, then all are read in one request.
    const stored = isGroup(h5.get(root)) ? (h5.get(root) as { keys: string[] }).keys : [];
    refuseStrayWeights(
      stored.filter((key) => layerVars(h5, `${root}/${key}`, file).length > 0),
      paths,
      file,
    );
    const wanted = paths.map((p) => layerVars(h5, `${root}/${p}`, file));
    const arrays = await h5.readFloat32(wanted.flat());
    return savedModelSpec({
      origin: 'keras-v3',
      file,
      translated,
      training: trainingFromCompileConfig((config as { compile_config?: unknown }).compile_config),
      arraysFor: (_layer, index) =>
        wanted[index]!.map((path): StoredArray => {
          const { shape, values } = arrays.get(path)!;
          return { name: null, shape, values };
        }),
    });
  } finally {
    h5.close();
  }
}

/** config.json and metadata.json are text; a Keras config of thousands of layers is a few MB. */
const MAX_JSON_BYTES = 64 * 1024 * 1024;

function parseJson(
  bytes: Uint8Array | undefined,
  entry: string,
  file: string,
): Record<string, unknown> | null {
  if (!bytes) return null;
  try {
    const value: unknown = JSON.parse(new TextDecoder().decode(bytes));
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : null;
  } catch (e) {
    throw new UserError(
      `${entry} inside the archive is not valid JSON (${(e as Error).message})`,
      file,
      null,
      'save the model again with model.save("model.keras")',
    );
  }
}

/** `<snake_case class>[_n]` for each layer, counting repeats per class in model.layers order. */
export function weightPaths(layers: KerasLayerJson[]): string[] {
  const used = new Map<string, number>();
  return layers.map((layer) => {
    const base = kerasSnakeCase(layer.class_name);
    const seen = used.get(base);
    used.set(base, seen === undefined ? 0 : seen + 1);
    return seen === undefined ? base : `${base}_${seen + 1}`;
  });
}

/** The dataset paths of a layer's variables (`<path>/vars/0`, `1`, …), each checked to be numeric. */
function layerVars(h5: Hdf5File, path: string, file: string): string[] {
  const vars = h5.get(`${path}/vars`);
  if (!isGroup(vars)) return [];
  const keys = vars.keys.filter((k) => /^\d+$/.test(k)).sort((a, b) => Number(a) - Number(b));
  return keys.map((key) => {
    const dataset = h5.get(`${path}/vars/${key}`);
    if (!isDataset(dataset) || !isNumeric(dataset)) {
      throw new UserError(
        `variable ${path}/vars/${key} in ${WEIGHTS} is not a numeric array`,
        file,
        null,
        'bfloat16 weights are not supported; save a float32 model',
      );
    }
    return dataset.path;
  });
}
