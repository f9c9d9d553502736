/**
 * `.npy` arrays (format versions 1, 2 and 3): little-endian u1, i4, i8, f4, f8 in C order (and f2,
 * widened to f4). Anything else is refused with a UserError that says what the file holds and how
 * to convert it; so is a header whose shape and dtype do not account for exactly the data bytes.
 */
import { UserError } from '../../errors';
import { float16ToFloat32 } from '../../io/float16';
import { NpyHeaderSyntaxError, parsePythonLiteral } from './npy-header';

export type NpyDtype = 'u1' | 'i4' | 'i8' | 'f4' | 'f8';
type StoredDtype = NpyDtype | 'f2';

export interface NpyArray {
  dtype: NpyDtype;
  shape: number[];
  data: Uint8Array | Int32Array | BigInt64Array | Float32Array | Float64Array;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
/** The largest array read (data bytes): well above MNIST or CIFAR, below what exhausts memory. */
export const MAX_ARRAY_BYTES = 1024 * 1024 * 1024;
/** numpy itself refuses headers above 10,000 bytes unless told otherwise. */
const MAX_HEADER_BYTES = 65_536;
const ITEM_SIZE: Record<StoredDtype, number> = { u1: 1, i4: 4, i8: 8, f2: 2, f4: 4, f8: 8 };
const CONVERT_HINT = 'save it with numpy as little-endian uint8/int32/int64/float32/float64 in C order (np.ascontiguousarray(a).astype("<f4"))';

/**
 * Reads one `.npy` array. `file` names the file for errors, `member` the array inside an .npz.
 */
export function parseNpy(bytes: Uint8Array, file: string, member?: string): NpyArray {
  const where = member ? `${member} in ${baseName(file)}` : baseName(file);
  const bad = (what: string, hint = CONVERT_HINT): UserError => new UserError(`${where} is not a readable .npy array: ${what}`, file, null, hint);
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw bad('it does not start with the \\x93NUMPY magic', 'pass a file written by numpy.save / numpy.savez');
  const major = bytes[6]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLen: number;
  let headerStart: number;
  if (major === 1) {
    headerLen = view.getUint16(8, true);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw bad('the header is truncated');
    headerLen = view.getUint32(8, true);
    headerStart = 12;
  } else throw bad(`format version ${major} is unknown (1, 2 and 3 are read)`, 'save it with a current numpy');
  if (headerLen > MAX_HEADER_BYTES) throw bad(`its header claims ${headerLen} bytes (numpy writes under ${MAX_HEADER_BYTES})`);
  const dataStart = headerStart + headerLen;
  if (dataStart > bytes.length) throw bad('the header is truncated');
  // Version 1 and 2 headers are latin-1; version 3 is UTF-8 (numpy's rule).
  const headerText = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(headerStart, dataStart));

  let header;
  try {
    header = parsePythonLiteral(headerText);
  } catch (e) {
    if (e instanceof NpyHeaderSyntaxError) throw bad(`its header is malformed (${e.message})`);
    throw e;
  }
  if (!header || typeof header !== 'object' || Array.isArray(header)) throw bad('its header is not a dict');
  const own = (key: string) => (Object.hasOwn(header, key) ? header[key] : undefined);
  const descr = own('descr');
  const fortranOrder = own('fortran_order');
  const shape = own('shape');
  if (typeof descr !== 'string') throw bad(`its dtype ${shortJson(descr)} is a structured dtype`);
  if (fortranOrder !== false) throw bad('it is stored in Fortran (column-major) order', 'save it in C order: np.save(path, np.ascontiguousarray(a))');
  if (!Array.isArray(shape) || shape.length > 32 || !shape.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)) throw bad(`its shape ${shortJson(shape)} is not a tuple of sizes`);
  const dims = shape as number[];
  const stored = dtypeOf(descr);
  if (!stored) throw bad(`its dtype '${descr.slice(0, 20)}' is not one of <u1, <i4, <i8, <f2, <f4, <f8`);

  // In floating point: beyond 2^53 the count is approximate, but only ever compared with the limit.
  const count = dims.reduce((a, b) => a * b, 1);
  const byteLength = count * ITEM_SIZE[stored];
  if (byteLength > MAX_ARRAY_BYTES) throw bad(`its shape (${dims.join(', ')}) of '${descr}' declares ${byteLength.toExponential(2)} bytes, above the ${MAX_ARRAY_BYTES / 2 ** 30} GiB limit`, 'use a smaller dataset or a subset of it');
  const available = bytes.length - dataStart;
  if (available < byteLength) throw bad(`it is truncated: shape (${dims.join(', ')}) of '${descr}' needs ${byteLength} data bytes, the file has ${available}`, 'the file was cut short; write it again');
  if (available > byteLength) throw bad(`it holds ${available} data bytes but shape (${dims.join(', ')}) of '${descr}' accounts for ${byteLength}: the header's dtype or shape does not match the data`, 'write it again with numpy.save');
  // A fresh copy is aligned for the typed array whatever the source buffer's offset was
  // (Buffer#slice would be a view into Node's shared pool, so copy explicitly).
  const raw = new Uint8Array(byteLength);
  raw.set(bytes.subarray(dataStart, dataStart + byteLength));
  if (stored === 'f2') return { dtype: 'f4', shape: dims, data: float16ToFloat32(raw, count) };
  return { dtype: stored, shape: dims, data: typedArray(stored, raw.buffer, count) };
}

function shortJson(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}


function dtypeOf(descr: string): StoredDtype | null {
  const order = descr[0];
  const code = descr.slice(1);
  if (code === 'u1' || code === 'b1') return order === '|' || order === '<' || order === '=' ? 'u1' : null;
  // '=' is native order; numpy itself writes '<' on every little-endian machine.
  if (order !== '<' && order !== '=') return null;
  return code === 'i4' || code === 'i8' || code === 'f2' || code === 'f4' || code === 'f8' ? code : null;
}

function typedArray(dtype: NpyDtype, buffer: ArrayBuffer, count: number): NpyArray['data'] {
  const littleEndianHost = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  if (dtype === 'u1') return new Uint8Array(buffer, 0, count);
  if (littleEndianHost) {
    if (dtype === 'i4') return new Int32Array(buffer, 0, count);
    if (dtype === 'i8') return new BigInt64Array(buffer, 0, count);
    if (dtype === 'f4') return new Float32Array(buffer, 0, count);
    return new Float64Array(buffer, 0, count);
  }
  const view = new DataView(buffer);
  if (dtype === 'i4') return Int32Array.from({ length: count }, (_, i) => view.getInt32(i * 4, true));
  if (dtype === 'i8') return BigInt64Array.from({ length: count }, (_, i) => view.getBigInt64(i * 8, true));
  if (dtype === 'f4') return Float32Array.from({ length: count }, (_, i) => view.getFloat32(i * 4, true));
  return Float64Array.from({ length: count }, (_, i) => view.getFloat64(i * 8, true));
}

export function baseName(path: string): string {
  const cut = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return path.slice(cut + 1);
}
