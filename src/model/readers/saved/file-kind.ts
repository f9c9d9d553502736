/** Recognising what a saved-model file is from its bytes, and refusing the kinds that are not Keras files. */
import { basename } from 'node:path';
import { UserError } from '../../../errors';
import { looksLikeHdf5 } from './hdf5';

export type SavedFileKind = 'hdf5' | 'zip' | 'savedmodel' | 'unknown';

export function looksLikeZip(bytes: Uint8Array): boolean {
  return (
    bytes.length >= 4 &&
    bytes[0] === 0x50 &&
    bytes[1] === 0x4b &&
    (bytes[2] === 0x03 || bytes[2] === 0x05) &&
    (bytes[3] === 0x04 || bytes[3] === 0x06)
  );
}

export function savedFileKind(bytes: Uint8Array, file: string): SavedFileKind {
  if (looksLikeHdf5(bytes)) return 'hdf5';
  if (looksLikeZip(bytes)) return 'zip';
  const name = basename(file).toLowerCase();
  if (
    name.endsWith('.pb') ||
    name.endsWith('.pbtxt') ||
    name === 'saved_model' ||
    name.endsWith('.index') ||
    /\.data-\d+-of-\d+$/.test(name)
  )
    return 'savedmodel';
  return 'unknown';
}

/** The TensorFlow SavedModel / checkpoint formats: graphs, not Keras layer descriptions. */
export function refuseSavedModel(file: string): never {
  throw new UserError(
    'this is a TensorFlow SavedModel or checkpoint (a graph), not a Keras model file',
    file,
    null,
    'load it in Python and save it with model.save("model.keras") (Keras 3) or model.save("model.h5") (tf.keras), then analyze that file',
  );
}

/**
 * Refuses a file that is not the kind its reader reads: a SavedModel, or the other Keras format
 * (an HDF5 file named .keras, a zip named .h5), with the extension it should have.
 */
export function expectKerasKind(bytes: Uint8Array, file: string, expected: 'hdf5' | 'zip'): void {
  const kind = savedFileKind(bytes, file);
  if (kind === 'savedmodel') refuseSavedModel(file);
  const mismatch = {
    hdf5: {
      is: 'zip',
      says: 'a zip archive (a Keras 3 .keras file), not a legacy HDF5 model',
      ext: '.keras',
    },
    zip: {
      is: 'hdf5',
      says: 'HDF5 (a legacy .h5 model or a weights file), not a .keras zip archive',
      ext: '.h5',
    },
  }[expected];
  if (kind === mismatch.is)
    throw new UserError(`this file is ${mismatch.says}`, file, null, `give it the ${mismatch.ext} extension`);
}
