/**
 * Reading HDF5 (Keras .h5 files and the weights inside .keras archives) with h5wasm, the HDF5 C
 * library compiled to wasm, on a worker thread (hdf5-worker.ts) that is terminated after a time
 * limit: a damaged file can make HDF5 loop forever inside one call. The worker returns the file's
 * structure (groups, datasets with shape and dtype, Keras' text attributes) at once; dataset
 * values are read on request, after their declared sizes were checked here against the limits.
 * Every failure is one UserError naming the file and, where there is one, the dataset.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { UserError } from '../../../errors';
import { formatBytes } from '../../../io/contained-file';
import type { Hdf5Attribute, Hdf5Node, Hdf5Request, Hdf5Response, ReadArray } from './hdf5-protocol';

export type { Hdf5Node } from './hdf5-protocol';
export type Hdf5Group = Extract<Hdf5Node, { kind: 'group' }>;
export type Hdf5Dataset = Extract<Hdf5Node, { kind: 'dataset' }>;

/** The 8-byte HDF5 signature; a file may also start it after a 512·2^k-byte user block. */
const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** The largest single array and all arrays of one model, as float32. */
export const MAX_DATASET_BYTES = 1024 * 1024 * 1024;
/**
 * Opening and walking a Keras file takes well under a second; the rest is for slow machines.
 * ACTIVATION_LENS_HDF5_TIMEOUT_S overrides it (the hostile-input tests use a short one).
 */
const BASE_TIMEOUT_MS = Number(process.env.ACTIVATION_LENS_HDF5_TIMEOUT_S ?? 10) * 1000 || 10_000;
/** Time allowed per byte on top: 20 MB/s is far below any disk or memcpy. */
const MS_PER_BYTE = 1 / 20_000;

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

/** dist/hdf5-worker.js beside the engine; tests run from dist-test/, so also look up the tree. */
function workerScript(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    for (const candidate of [join(dir, 'hdf5-worker.js'), join(dir, 'dist', 'hdf5-worker.js')])
      if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) throw new Error('dist/hdf5-worker.js is missing; run the build');
  }
}

/** An open HDF5 file: its structure at hand, dataset values on request; always `close()` it. */
export interface Hdf5File {
  readonly root: Hdf5Group;
  get(path: string): Hdf5Node | null;
  /**
   * The values of numeric datasets as float32 (float16/64 and integers widened or narrowed).
   * Their declared sizes are checked before anything is read.
   */
  readFloat32(paths: string[]): Promise<Map<string, ReadArray>>;
  close(): void;
}

/**
 * Opens HDF5 bytes. `file` and `what` name the person's file and the part being read
 * (e.g. "model.weights.h5 inside model.keras") for the error message.
 */
export async function openHdf5(bytes: Uint8Array, file: string, what: string): Promise<Hdf5File> {
  const damaged = (why: string, at: string | null = null): UserError =>
    new UserError(
      `${what} is a damaged HDF5 file${at ? ` (at '${at.replace(/^\/+/, '').slice(0, 120)}')` : ''}: ${why}`,
      file,
      null,
      'save the model again with model.save(); the file may be truncated or corrupt',
    );
  if (!looksLikeHdf5(bytes)) {
    throw new UserError(
      `${what} is not an HDF5 file`,
      file,
      null,
      'save the model again with model.save(); the file may be damaged',
    );
  }
  const worker = new Worker(workerScript(), {
    // The worker's own output (an Emscripten abort message, say) is dropped, never printed.
    stdout: true,
    stderr: true,
    resourceLimits: { maxOldGenerationSizeMb: 1024 },
  });
  worker.unref();
  let closed = false;
  const close = () => {
    if (!closed) void worker.terminate();
    closed = true;
  };
  const ask = (request: Hdf5Request, timeoutMs: number): Promise<Hdf5Response> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        done();
        close();
        reject(damaged(`HDF5 did not finish reading it within ${Math.round(timeoutMs / 1000)} s`));
      }, timeoutMs);
      function done() {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      }
      const onMessage = (response: Hdf5Response) => {
        done();
        resolve(response);
      };
      const onError = (e: Error) => {
        done();
        close();
        const code = (e as NodeJS.ErrnoException).code;
        reject(
          damaged(
            code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'reading it ran out of memory' : e.message.split('\n')[0]!,
          ),
        );
      };
      const onExit = () => {
        done();
        reject(damaged('the HDF5 reader stopped'));
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      worker.postMessage(request);
    });

  let nodes: Hdf5Node[];
  try {
    const reply = await ask({ type: 'open', bytes }, BASE_TIMEOUT_MS + bytes.length * MS_PER_BYTE);
    if (reply.type === 'error') throw damaged(reply.message, reply.path);
    if (reply.type !== 'tree') throw damaged('the HDF5 reader answered out of turn');
    nodes = reply.nodes;
  } catch (e) {
    close();
    throw e;
  }
  const byPath = new Map(nodes.map((n) => [n.path, n]));
  const root = byPath.get('') as Hdf5Group;
  let readSoFar = 0;
  return {
    root,
    get: (p) => byPath.get(p.replace(/^\/+/, '')) ?? null,
    async readFloat32(paths) {
      let declared = 0;
      for (const p of paths) {
        const node = byPath.get(p);
        if (node?.kind !== 'dataset') throw damaged('it is not a dataset', p);
        const elements = node.shape.reduce((a, b) => a * b, 1);
        declared += elements * 4;
        if (elements * 4 > MAX_DATASET_BYTES || readSoFar + declared > MAX_DATASET_BYTES) {
          throw new UserError(
            `dataset '${p}' in ${what} declares shape [${node.shape.join(', ')}]: ${formatBytes(elements * 4)} as float32, and the model's arrays may take at most ${formatBytes(MAX_DATASET_BYTES)}`,
            file,
            null,
            'analyze a smaller model',
          );
        }
      }
      readSoFar += declared;
      const reply = await ask(
        { type: 'read', paths, maxBytes: MAX_DATASET_BYTES },
        BASE_TIMEOUT_MS + declared * MS_PER_BYTE,
      );
      if (reply.type === 'error') throw damaged(reply.message, reply.path);
      if (reply.type !== 'arrays') throw damaged('the HDF5 reader answered out of turn');
      return new Map(reply.arrays.map((a) => [a.path, a]));
    },
    close,
  };
}

export function isDataset(entity: Hdf5Node | null): entity is Hdf5Dataset {
  return entity?.kind === 'dataset';
}

export function isGroup(entity: Hdf5Node | null): entity is Hdf5Group {
  return entity?.kind === 'group';
}

/** Whether a dataset holds numbers (floats of 2, 4 or 8 bytes, or integers) that widen to float32. */
export function isNumeric(dataset: Hdf5Dataset): boolean {
  return dataset.dtype.kind !== 'other' && [1, 2, 4, 8].includes(dataset.dtype.size);
}

function firstText(value: Hdf5Attribute): string | null {
  if (Array.isArray(value)) return value.length === 1 ? (value[0] ?? null) : null;
  return value;
}

/**
 * A string attribute, whether written as a variable-length str (h5py 3) or as fixed-length bytes
 * (h5py 2, `attrs[k] = b'...'`); null when absent. Trailing NUL padding is removed.
 */
export function stringAttr(entity: Hdf5Node, name: string): string | null {
  if (!Object.hasOwn(entity.attrs, name)) return null;
  const text = firstText(entity.attrs[name]!);
  return text === null ? null : text.replace(/\0+$/, '');
}

/**
 * A list-of-strings attribute as Keras writes it: under `name`, or, when it outgrew HDF5's 64 KiB
 * object-header limit, split over `name0`, `name1`, ... An empty float array (what
 * `np.asarray([])` stores for a layer without weights) reads as an empty list. Null when absent.
 */
export function stringListAttr(entity: Hdf5Node, name: string): string[] | null {
  const has = (n: string) => Object.hasOwn(entity.attrs, n);
  if (has(name)) return stringsOf(entity.attrs[name]!);
  if (!has(`${name}0`)) return null;
  const out: string[] = [];
  for (let i = 0; has(`${name}${i}`); i++) out.push(...stringsOf(entity.attrs[`${name}${i}`]!));
  return out;
}

function stringsOf(value: Hdf5Attribute): string[] {
  if (value === null) return [];
  const items = Array.isArray(value) ? value : [value];
  return items.filter((s): s is string => s !== null).map((s) => s.replace(/\0+$/, ''));
}
