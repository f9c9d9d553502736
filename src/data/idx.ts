/** Reader for the IDX format (LeCun's MNIST files, also Fashion-MNIST), optionally gzipped. */
import { gunzipSync } from 'node:zlib';
import { UserError } from '../errors';

export interface IdxArray {
  shape: number[];
  data: Uint8Array;
}

/** Fashion-MNIST's largest file is 47 MB unpacked; a gzip that claims more is damaged. */
const MAX_IDX_BYTES = 512 * 1024 * 1024;

/** Parses an unsigned-byte IDX file (magic 0x00000803 images / 0x00000801 labels). */
export function parseIdx(bytes: Uint8Array, file: string): IdxArray {
  const bad = (why: string): UserError =>
    new UserError(`not a readable IDX file: ${why}`, file, null, 'install the dataset again');
  let raw = bytes;
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      raw = gunzipSync(bytes, { maxOutputLength: MAX_IDX_BYTES });
    } catch (e) {
      throw bad(`it does not unpack (${(e as Error).message})`);
    }
  }
  if (raw.length < 8 || raw[0] !== 0 || raw[1] !== 0) throw bad('its magic number is wrong');
  if (raw[2] !== 0x08) throw bad(`only unsigned-byte IDX data is read (type 0x${raw[2]?.toString(16)})`);
  const dims = raw[3] ?? 0;
  if (dims === 0 || dims > 4 || raw.length < 4 + 4 * dims) throw bad(`it declares ${dims} dimensions`);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const shape: number[] = [];
  for (let i = 0; i < dims; i++) shape.push(view.getUint32(4 + 4 * i, false));
  const offset = 4 + 4 * dims;
  const size = shape.reduce((a, b) => a * b, 1);
  if (raw.length - offset !== size) throw bad(`shape (${shape.join(', ')}) needs ${size} bytes, the file has ${raw.length - offset}`);
  return { shape, data: raw.subarray(offset, offset + size) };
}
