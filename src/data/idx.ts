/** Reader for the IDX format (LeCun's MNIST files, also Fashion-MNIST), optionally gzipped. */
import { gunzipSync } from 'fflate';

export interface IdxArray {
  shape: number[];
  data: Uint8Array;
}

/** Parses an unsigned-byte IDX file (magic 0x00000803 images / 0x00000801 labels). */
export function parseIdx(bytes: Uint8Array, what: string): IdxArray {
  const raw = bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes;
  if (raw.length < 8 || raw[0] !== 0 || raw[1] !== 0) throw new Error(`${what}: not an IDX file`);
  if (raw[2] !== 0x08) throw new Error(`${what}: only unsigned-byte IDX data is supported (type 0x${raw[2]?.toString(16)})`);
  const dims = raw[3] ?? 0;
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const shape: number[] = [];
  for (let i = 0; i < dims; i++) shape.push(view.getUint32(4 + 4 * i, false));
  const offset = 4 + 4 * dims;
  const size = shape.reduce((a, b) => a * b, 1);
  if (raw.length < offset + size) throw new Error(`${what}: truncated (${raw.length - offset} of ${size} bytes)`);
  return { shape, data: raw.subarray(offset, offset + size) };
}
