/** One entry point for saved Keras files: picks the .h5 or .keras loader from the bytes, not the name. */
import { UserError } from '../../../errors';
import type { ModelSpec } from '../../spec';
import { refuseSavedModel, savedFileKind } from './file-kind';
import { loadKerasH5 } from './keras-h5';
import { loadKerasV3 } from './keras-v3';

export async function loadKerasFile(bytes: Uint8Array, file: string): Promise<ModelSpec> {
  switch (savedFileKind(bytes, file)) {
    case 'hdf5':
      return loadKerasH5(bytes, file);
    case 'zip':
      return loadKerasV3(bytes, file);
    case 'savedmodel':
      return refuseSavedModel(file);
    default:
      throw new UserError(
        'this file is neither a Keras .keras archive nor an HDF5 .h5 model',
        file,
        null,
        'save the model with model.save("model.keras") and analyze that file',
      );
  }
}
