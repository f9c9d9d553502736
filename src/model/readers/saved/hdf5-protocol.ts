/** Messages between the HDF5 worker thread (hdf5-worker.ts) and the engine (hdf5.ts). */

export interface Hdf5Dtype {
  /** 'other': strings, compounds, references … — never read as numbers. */
  kind: 'float' | 'int' | 'other';
  /** Bytes per element as stored. */
  size: number;
  signed: boolean;
  littleEndian: boolean;
}

/** A text attribute as Keras writes them (variable-length str or fixed bytes); non-text is null. */
export type Hdf5Attribute = string | (string | null)[] | null;

export type Hdf5Node =
  | { kind: 'group'; path: string; keys: string[]; attrs: Record<string, Hdf5Attribute> }
  | {
      kind: 'dataset';
      path: string;
      shape: number[];
      dtype: Hdf5Dtype;
      attrs: Record<string, Hdf5Attribute>;
    };

export interface ReadArray {
  path: string;
  shape: number[];
  values: Float32Array;
}

export type Hdf5Request =
  { type: 'open'; bytes: Uint8Array } | { type: 'read'; paths: string[]; maxBytes: number };

export type Hdf5Response =
  | { type: 'tree'; nodes: Hdf5Node[] }
  | { type: 'arrays'; arrays: ReadArray[] }
  | { type: 'error'; message: string; path: string | null };
