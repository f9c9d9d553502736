/**
 * Reading HDF5 from bytes with h5wasm (the HDF5 C library compiled to wasm). h5wasm is ESM and
 * heavy, so it is imported lazily; files are written into its in-memory FS under unique names and
 * removed again on close.
 */
import type * as H5 from 'h5wasm';
import { UserError } from '../../../errors';

type H5Module = typeof H5;

/** The 8-byte HDF5 signature; a file may also start it after a 512·2^k-byte user block. */
const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

export function looksLikeHdf5(bytes: Uint8Array): boolean {
  for (
    let offset = 0;
    offset + 8 <= bytes.length && offset <= 1 << 20;
    offset = offset === 0 ? 512 : offset * 2
  ) {
    if (HDF5_SIGNATURE.every((b, i) => bytes[offset + i] === b)) return true;
  }
  return false;
}

let h5Promise: Promise<H5Module> | null = null;
let openCount = 0;

async function loadH5(): Promise<H5Module> {
  if (!h5Promise) {
    h5Promise = (async () => {
      const h5 = (await import('h5wasm')) as H5Module;
      await h5.ready;
      return h5;
    })();
  }
  return h5Promise;
}

/** An open HDF5 file plus typed accessors; always `close()` it. */
export interface Hdf5File {
  readonly root: H5.Group;
  get(path: string): H5.Group | H5.Dataset | null;
  close(): void;
}

/**
 * Opens HDF5 bytes. `file` and `what` name the person's file and the part being read
 * (e.g. "model.weights.h5 inside model.keras") for the error message.
 */
export async function openHdf5(bytes: Uint8Array, file: string, what: string): Promise<Hdf5File> {
  if (!looksLikeHdf5(bytes)) {
    throw new UserError(
      `${what} is not an HDF5 file`,
      file,
      null,
      'save the model again with model.save(); the file may be damaged',
    );
  }
  const h5 = await loadH5();
  const fs = h5.FS;
  if (!fs) throw new UserError('the HDF5 reader (h5wasm) did not start', file);
  const path = `/activation-lens-${process.pid}-${++openCount}.h5`;
  fs.writeFile(path, bytes);
  let handle: H5.File;
  try {
    handle = new h5.File(path, 'r');
    // h5wasm reports a failed open through a zero file id rather than an exception.
    if (!handle.file_id) throw new Error('H5Fopen failed');
    handle.keys();
  } catch (e) {
    fs.unlink(path);
    throw new UserError(
      `${what} is a damaged HDF5 file (${e instanceof Error ? e.message : String(e)})`,
      file,
      null,
      'save the model again with model.save(); the file may be truncated',
    );
  }
  return {
    root: handle,
    get(p: string) {
      let entity: unknown;
      try {
        entity = handle.get(p);
      } catch {
        return null;
      }
      if (entity instanceof h5.Group || entity instanceof h5.Dataset) return entity;
      return null;
    },
    close() {
      handle.close();
      fs.unlink(path);
    },
  };
}

/** The group or dataset kinds, for callers that only hold the Hdf5File interface. */
export function isDataset(entity: unknown): entity is H5.Dataset {
  return (
    !!entity && typeof entity === 'object' && 'shape' in entity && 'dtype' in entity && !('keys' in entity)
  );
}

export function isGroup(entity: unknown): entity is H5.Group {
  return (
    !!entity &&
    typeof entity === 'object' &&
    'keys' in entity &&
    typeof (entity as H5.Group).keys === 'function'
  );
}

function textOf(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return new TextDecoder().decode(value);
  return null;
}

/**
 * A string attribute, whether written as a variable-length str (h5py 3) or as fixed-length bytes
 * (h5py 2, `attrs[k] = b'...'`); null when absent. Trailing NUL padding is removed.
 */
export function stringAttr(entity: H5.Group | H5.Dataset, name: string): string | null {
  const attr = entity.attrs[name];
  if (!attr) return null;
  const value = attr.value;
  const text = textOf(Array.isArray(value) && value.length === 1 ? value[0] : value);
  return text === null ? null : text.replace(/\0+$/, '');
}

/**
 * A list-of-strings attribute as Keras writes it: under `name`, or, when it outgrew HDF5's 64 KiB
 * object-header limit, split over `name0`, `name1`, ... An empty float array (what
 * `np.asarray([])` stores for a layer without weights) reads as an empty list. Null when absent.
 */
export function stringListAttr(entity: H5.Group | H5.Dataset, name: string): string[] | null {
  const whole = entity.attrs[name];
  if (whole) return stringsOf(whole.value);
  if (!entity.attrs[`${name}0`]) return null;
  const out: string[] = [];
  for (let i = 0; entity.attrs[`${name}${i}`]; i++)
    out.push(...stringsOf(entity.attrs[`${name}${i}`]!.value));
  return out;
}

function stringsOf(value: unknown): string[] {
  if (value === null || value === undefined) return [];
  const items = Array.isArray(value) ? value : ArrayBuffer.isView(value) ? [] : [value];
  return items
    .map((v) => textOf(v))
    .filter((s): s is string => s !== null)
    .map((s) => s.replace(/\0+$/, ''));
}

/** A numeric dataset as float32 plus its shape; other element types are refused by the caller. */
export function float32Dataset(dataset: H5.Dataset): { shape: number[]; values: Float32Array } | null {
  const shape = dataset.shape ?? [];
  const value = dataset.value;
  if (value instanceof Float32Array) return { shape, values: value.slice() };
  if (
    value instanceof Float64Array ||
    value instanceof Int32Array ||
    value instanceof Uint8Array ||
    value instanceof Int8Array ||
    value instanceof Int16Array ||
    value instanceof Uint16Array ||
    value instanceof Uint32Array
  ) {
    return { shape, values: Float32Array.from(value) };
  }
  if (typeof value === 'number') return { shape, values: Float32Array.of(value) };
  return null;
}
