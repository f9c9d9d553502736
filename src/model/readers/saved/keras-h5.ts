/**
 * Loader for legacy Keras HDF5 model files (`model.save('model.h5')` in Keras 1–2, tf.keras, and
 * Keras 3's legacy writer): the `model_config` root attribute holds the JSON config, and
 * `model_weights/<layer>/` holds a `weight_names` attribute naming datasets at `<layer>/<name>`.
 * Strings may be variable-length (h5py 3) or fixed-length bytes (h5py 2); long string lists are
 * split into `name0`, `name1`, ... attributes.
 */
import { UserError } from '../../../errors';
import type { ModelSpec } from '../../spec';
import { expectKerasKind } from './file-kind';
import { isDataset, isGroup, isNumeric, openHdf5, stringAttr, stringListAttr, type Hdf5File } from './hdf5';
import { translateModelConfig } from './keras-config';
import { checkConfigShape, checkTopology } from '../../build/topology-check';
import {
  refuseStrayWeights,
  savedModelSpec,
  trainingFromCompileConfig,
  type StoredArray,
} from './saved-spec';

/** Loads a legacy Keras `.h5` model (config + weights) into a ModelSpec with origin 'keras-h5'. */
export async function loadKerasH5(bytes: Uint8Array, file: string): Promise<ModelSpec> {
  expectKerasKind(bytes, file, 'hdf5');
  const h5 = await openHdf5(bytes, file, 'the file');
  try {
    return await readModel(h5, file);
  } finally {
    h5.close();
  }
}

async function readModel(h5: Hdf5File, file: string): Promise<ModelSpec> {
  const configText = stringAttr(h5.root, 'model_config');
  if (configText === null) refuseWeightsOnly(h5, file);
  let config: unknown;
  try {
    config = JSON.parse(configText!);
  } catch (e) {
    throw new UserError(
      `the model_config attribute is not valid JSON (${(e as Error).message})`,
      file,
      null,
      'save the model again with model.save()',
    );
  }
  const weightsGroup = h5.get('model_weights');
  if (!isGroup(weightsGroup)) {
    throw new UserError(
      'the file has a model config but no model_weights group',
      file,
      null,
      'save the whole model with model.save(), including weights',
    );
  }
  const kerasVersion = stringAttr(h5.root, 'keras_version') ?? stringAttr(weightsGroup, 'keras_version');
  checkConfigShape(config, file);
  const translated = translateModelConfig(config, { file, kerasVersion });
  checkTopology(translated.topology, file);
  let training = {};
  const trainingText = stringAttr(h5.root, 'training_config');
  if (trainingText) {
    try {
      training = trainingFromCompileConfig(JSON.parse(trainingText));
    } catch {
      // A damaged training config only loses the defaults it would have offered.
    }
  }
  // Every dataset the layers name is located and checked first, then all are read in one request.
  const storedLayers = (stringListAttr(weightsGroup, 'layer_names') ?? []).filter((name) => {
    const group = h5.get(`model_weights/${name}`);
    return isGroup(group) && (stringListAttr(group, 'weight_names') ?? []).length > 0;
  });
  refuseStrayWeights(
    storedLayers,
    translated.layers.map((l) => String(l.config.name)),
    file,
  );
  const wanted = translated.layers.map((layer) => layerDatasets(h5, String(layer.config.name), file));
  const arrays = await h5.readFloat32(wanted.flat().map((w) => w.path));
  return savedModelSpec({
    origin: 'keras-h5',
    file,
    translated,
    training,
    arraysFor: (_layer, index) =>
      wanted[index]!.map(({ name, path }): StoredArray => {
        const { shape, values } = arrays.get(path)!;
        return { name, shape, values };
      }),
  });
}

function layerDatasets(h5: Hdf5File, layer: string, file: string): { name: string; path: string }[] {
  const group = h5.get(`model_weights/${layer}`);
  if (!isGroup(group)) return [];
  const names = stringListAttr(group, 'weight_names') ?? [];
  return names.map((name) => {
    const path = `model_weights/${layer}/${name}`;
    const dataset = h5.get(path);
    if (!isDataset(dataset) || !isNumeric(dataset)) {
      throw new UserError(
        `weight '${name}' of layer '${layer}' is missing or not a numeric array`,
        file,
        null,
        'save the model again with model.save(); bfloat16 weights are not supported',
      );
    }
    return { name, path };
  });
}

/** `model.save_weights('w.h5')` (Keras 2) and `model.weights.h5` (Keras 3) hold no config. */
function refuseWeightsOnly(h5: Hdf5File, file: string): never {
  const weightsOnly =
    stringListAttr(h5.root, 'layer_names') !== null || isGroup(h5.get('layers')) || isGroup(h5.get('vars'));
  throw new UserError(
    weightsOnly
      ? 'this is a weights-only file (model.save_weights): it has no model architecture'
      : 'this HDF5 file holds no Keras model_config',
    file,
    null,
    'save the whole model with model.save("model.keras") or model.save("model.h5") and analyze that file',
  );
}
