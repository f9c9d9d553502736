/**
 * The HDF5 reader's worker thread (bundled as dist/hdf5-worker.js). HDF5 runs as wasm: on damaged
 * files it can loop forever inside one synchronous call, which no code on the same thread can
 * interrupt, so it runs here and the engine terminates the thread after a time limit
 * (src/model/readers/saved/hdf5.ts). HDF5's error stack is turned into exceptions instead of being
 * printed (h5wasm's throwing error handler), so nothing reaches stderr.
 *
 * Protocol: {type:'open', bytes} → {type:'tree', nodes}; {type:'read', paths, maxBytes} →
 * {type:'arrays', arrays}; any failure → {type:'error', message, path}.
 */
import { parentPort } from 'node:worker_threads';
import type * as H5 from 'h5wasm';
import { halfToNumber } from '../../../io/float16';
import type { Hdf5Dtype, Hdf5Node, Hdf5Request, Hdf5Response, ReadArray } from './hdf5-protocol';

/** A Keras file has a few thousand objects; a walk past this is a damaged or hostile file. */
const MAX_OBJECTS = 100_000;
const MAX_DEPTH = 32;
/** Only the attributes Keras files use are read (never arbitrary ones of any size). */
const KERAS_ATTRIBUTE =
  /^(model_config|keras_version|backend|training_config|layer_names\d*|weight_names\d*)$/;
const MAX_ATTRIBUTE_BYTES = 64 * 1024 * 1024;

type H5Module = typeof H5;
type Internals = {
  get_attribute_metadata(fileId: bigint, path: string, name: string): { size: number; total_size: number };
  get_dataset_data(
    fileId: bigint,
    path: string,
    count: null,
    offset: null,
    strides: null,
    ptr: bigint,
  ): number;
  _malloc(n: number): number;
  _free(p: number): void;
  HEAPU8: Uint8Array;
  activate_throwing_error_handler(): number;
  H5T_class_t: { H5T_INTEGER: { value: number }; H5T_FLOAT: { value: number } };
};

let h5: H5Module | null = null;
let file: H5.File | null = null;
const path = `/activation-lens-${process.pid}.h5`;

async function module(): Promise<H5Module> {
  if (!h5) {
    h5 = (await import('h5wasm')) as H5Module;
    await h5.ready;
    (h5.Module as unknown as Internals).activate_throwing_error_handler();
  }
  return h5;
}

function internals(): Internals {
  return h5!.Module as unknown as Internals;
}

function textOf(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return new TextDecoder().decode(value);
  return null;
}

function attributesOf(entity: H5.Group | H5.Dataset): Record<string, string | (string | null)[] | null> {
  const out: Record<string, string | (string | null)[] | null> = {};
  const names = Object.keys(entity.attrs).filter((n) => KERAS_ATTRIBUTE.test(n));
  for (const name of names) {
    const meta = internals().get_attribute_metadata(entity.file_id, entity.path, name);
    if (meta.size * meta.total_size > MAX_ATTRIBUTE_BYTES)
      throw Object.assign(new Error(`attribute '${name}' declares ${meta.size * meta.total_size} bytes`), {
        path: entity.path,
      });
    const value = entity.attrs[name]!.value;
    if (Array.isArray(value)) out[name] = value.map(textOf);
    else if (ArrayBuffer.isView(value) && !(value instanceof Uint8Array)) out[name] = [];
    else out[name] = textOf(value);
  }
  return out;
}

function dtypeOf(dataset: H5.Dataset): Hdf5Dtype {
  const meta = dataset.metadata as unknown as {
    type: number;
    size: number;
    signed: boolean;
    littleEndian: boolean;
    vlen: boolean;
  };
  const classes = internals().H5T_class_t;
  const kind = meta.vlen
    ? 'other'
    : meta.type === classes.H5T_FLOAT.value
      ? 'float'
      : meta.type === classes.H5T_INTEGER.value
        ? 'int'
        : 'other';
  return { kind, size: meta.size, signed: meta.signed, littleEndian: meta.littleEndian };
}

/** Every group and dataset (not following soft or external links), breadth first and bounded. */
function walk(root: H5.File): Hdf5Node[] {
  const nodes: Hdf5Node[] = [];
  const queue: [H5.Group, string, number][] = [[root, '', 0]];
  while (queue.length) {
    const [group, at, depth] = queue.shift()!;
    const keys = located(at, () => group.keys());
    nodes.push({ kind: 'group', path: at, keys, attrs: located(at, () => attributesOf(group)) });
    if (nodes.length + keys.length > MAX_OBJECTS)
      throw new Error(`the file holds more than ${MAX_OBJECTS} objects`);
    for (const key of keys) {
      const childPath = at ? `${at}/${key}` : key;
      located(childPath, () => {
        const child = group.get(key);
        if (child instanceof h5!.Group) {
          if (depth + 1 > MAX_DEPTH) throw new Error(`groups nest deeper than ${MAX_DEPTH} levels`);
          queue.push([child, childPath, depth + 1]);
        } else if (child instanceof h5!.Dataset) {
          nodes.push({
            kind: 'dataset',
            path: childPath,
            shape: child.shape ?? [],
            dtype: dtypeOf(child),
            attrs: attributesOf(child),
          });
        }
      });
    }
  }
  return nodes;
}

/** Runs `read`, tagging a failure with the object it was reading (for the one-line message). */
function located<T>(path: string, read: () => T): T {
  try {
    return read();
  } catch (e) {
    const error = e instanceof Error ? e : new Error(String(e));
    throw Object.assign(error, { path: (error as { path?: string }).path ?? path });
  }
}

/** Reads a numeric dataset's bytes as stored and widens them to float32 (float16 included). */
function readFloat32(dataset: H5.Dataset, dtype: Hdf5Dtype, count: number): Float32Array {
  const m = internals();
  const bytes = dtype.size * count;
  const ptr = m._malloc(Math.max(1, bytes));
  if (!ptr) throw new Error(`cannot allocate ${bytes} bytes`);
  let raw: Uint8Array;
  try {
    m.get_dataset_data(dataset.file_id, dataset.path, null, null, null, BigInt(ptr));
    raw = m.HEAPU8.slice(ptr, ptr + bytes);
  } finally {
    m._free(ptr);
  }
  const view = new DataView(raw.buffer);
  const le = dtype.littleEndian;
  const out = new Float32Array(count);
  const s = dtype.size;
  for (let i = 0; i < count; i++) {
    const o = i * s;
    if (dtype.kind === 'float')
      out[i] =
        s === 4
          ? view.getFloat32(o, le)
          : s === 8
            ? view.getFloat64(o, le)
            : halfToNumber(view.getUint16(o, le));
    else if (s === 1) out[i] = dtype.signed ? view.getInt8(o) : view.getUint8(o);
    else if (s === 2) out[i] = dtype.signed ? view.getInt16(o, le) : view.getUint16(o, le);
    else if (s === 4) out[i] = dtype.signed ? view.getInt32(o, le) : view.getUint32(o, le);
    else out[i] = Number(dtype.signed ? view.getBigInt64(o, le) : view.getBigUint64(o, le));
  }
  return out;
}

function oneLine(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  // h5wasm's thrown HDF5 error stack: the innermost entry (#00N … in f(): reason) says most.
  const entries = [...text.matchAll(/#\d+: .*? in [\w.]+\(\): (.*)/g)].map((m) => m[1]!.trim());
  const reason = entries.length ? entries[entries.length - 1]! : text.split('\n')[0]!;
  return reason.replace(/^HDF5-DIAG: /, '').slice(0, 200);
}

async function handle(request: Hdf5Request): Promise<Hdf5Response> {
  if (request.type === 'open') {
    const lib = await module();
    lib.FS!.writeFile(path, request.bytes);
    file = new lib.File(path, 'r');
    // h5wasm reports a failed open through a zero file id rather than an exception.
    if (!file.file_id) throw new Error('the file could not be opened');
    return { type: 'tree', nodes: walk(file) };
  }
  const arrays: ReadArray[] = [];
  for (const p of request.paths) {
    try {
      const dataset = file!.get(p);
      if (!(dataset instanceof h5!.Dataset)) throw new Error('is not a dataset');
      const dtype = dtypeOf(dataset);
      const shape = dataset.shape ?? [];
      const count = shape.reduce((a, b) => a * b, 1);
      if (dtype.kind === 'other' || ![1, 2, 4, 8].includes(dtype.size)) throw new Error('is not numeric');
      if (count * 4 > request.maxBytes) throw new Error(`declares ${count * 4} bytes`);
      arrays.push({ path: p, shape, values: readFloat32(dataset, dtype, count) });
    } catch (e) {
      return { type: 'error', message: oneLine(e), path: p };
    }
  }
  return { type: 'arrays', arrays };
}

parentPort!.on('message', (request: Hdf5Request) => {
  handle(request).then(
    (response) => {
      const transfer =
        response.type === 'arrays' ? response.arrays.map((a) => a.values.buffer as ArrayBuffer) : [];
      parentPort!.postMessage(response, transfer);
    },
    (e: unknown) =>
      parentPort!.postMessage({
        type: 'error',
        message: oneLine(e),
        path: (e as { path?: string }).path ?? null,
      } satisfies Hdf5Response),
  );
});
