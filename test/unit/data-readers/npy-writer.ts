/** Writes .npy bytes in the tests (format versions 1–3), so every fixture value is known exactly. */
import { zipSync } from 'fflate';

export type Typed = Uint8Array | Int32Array | BigInt64Array | Float32Array | Float64Array;

export function npyBytes(
  descr: string,
  shape: number[],
  data: Typed,
  opts: { version?: 1 | 2 | 3; fortran?: boolean; header?: string } = {},
): Uint8Array {
  const version = opts.version ?? 1;
  const dict =
    opts.header ??
    `{'descr': '${descr}', 'fortran_order': ${opts.fortran ? 'True' : 'False'}, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const prefix = version === 1 ? 10 : 12;
  // numpy pads the header with spaces to a multiple of 64 and ends it with a newline.
  const padded = dict.padEnd(Math.ceil((prefix + dict.length + 1) / 64) * 64 - prefix - 1, ' ') + '\n';
  const header = new TextEncoder().encode(padded);
  const body = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = new Uint8Array(prefix + header.length + body.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, header.length, true);
  else view.setUint32(8, header.length, true);
  out.set(header, prefix);
  out.set(body, prefix + header.length);
  return out;
}

export function npzBytes(members: Record<string, Uint8Array>, compress = false): Uint8Array {
  const files: Record<string, [Uint8Array, { level: 0 | 6 }]> = {};
  for (const [name, bytes] of Object.entries(members))
    files[`${name}.npy`] = [bytes, { level: compress ? 6 : 0 }];
  return zipSync(files);
}
