/**
 * Zip archives as .keras and .npz files are (Python's zipfile writes both): the central directory
 * is read and checked, and a member is inflated only when asked for, into at most the size its
 * header declares, which is capped against the archive (a compression-ratio limit) and an absolute
 * limit before anything is inflated. Every member read is checked against its CRC-32. Truncated
 * archives, lying headers, zip bombs, encryption and unknown methods are UserErrors naming the
 * archive and the member.
 */
import { inflateRawSync } from 'node:zlib';
import { UserError } from '../errors';
import { crc32 } from './crc32';
import { formatBytes, quotedName } from './contained-file';

export interface ZipMember {
  name: string;
  method: number;
  flags: number;
  crc32: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

/**
 * Deflate can reach ~1000:1; real arrays and weights stay far below 100:1. Members under
 * RATIO_FREE_BYTES may declare any ratio (they are small whatever they claim).
 */
export const MAX_COMPRESSION_RATIO = 100;
const RATIO_FREE_BYTES = 64 * 1024 * 1024;
/** More members than any .keras or .npz has; a directory claiming more is damaged or hostile. */
const MAX_MEMBERS = 65_536;

const LOCAL = 0x04034b50;
const CENTRAL = 0x02014b50;
const END = 0x06054b50;
const END64 = 0x06064b50;
const END64_LOCATOR = 0x07064b50;

export class ZipArchive {
  private readonly byName = new Map<string, ZipMember>();

  private constructor(
    private readonly bytes: Uint8Array,
    /** The archive on disk, for errors. */
    readonly file: string,
    /** How the archive is called in messages: 'the .npz archive', 'the .keras archive'. */
    private readonly what: string,
    private readonly hint: string,
    readonly members: ZipMember[],
  ) {
    for (const m of members) this.byName.set(m.name, m);
  }

  /** Reads the central directory; throws a UserError when the archive is not a sound zip. */
  static open(bytes: Uint8Array, file: string, what: string, hint: string): ZipArchive {
    const fail = (why: string): UserError => new UserError(`${what} is damaged: ${why}`, file, null, hint);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const end = findEnd(view);
    if (end < 0) throw fail('its end-of-archive record is missing (the file is truncated or not a zip)');
    let count = view.getUint16(end + 10, true);
    let directorySize = view.getUint32(end + 12, true);
    let directoryOffset = view.getUint32(end + 16, true);
    const locator = end - 20;
    if (locator >= 0 && view.getUint32(locator, true) === END64_LOCATOR) {
      const at = safeNumber(view.getBigUint64(locator + 8, true));
      if (at === null || at + 56 > bytes.length || view.getUint32(at, true) !== END64)
        throw fail('its zip64 end record is out of place');
      const c = safeNumber(view.getBigUint64(at + 32, true));
      const size = safeNumber(view.getBigUint64(at + 40, true));
      const offset = safeNumber(view.getBigUint64(at + 48, true));
      if (c === null || size === null || offset === null) throw fail('its zip64 end record is out of range');
      count = c;
      directorySize = size;
      directoryOffset = offset;
    }
    if (count > MAX_MEMBERS) throw fail(`it claims ${count} members`);
    if (directoryOffset + directorySize > bytes.length)
      throw fail('its central directory lies past the end of the file (the file is truncated)');
    const members: ZipMember[] = [];
    const seen = new Set<string>();
    let at = directoryOffset;
    for (let i = 0; i < count; i++) {
      if (at + 46 > directoryOffset + directorySize || view.getUint32(at, true) !== CENTRAL)
        throw fail(`entry ${i + 1} of its central directory is malformed`);
      const flags = view.getUint16(at + 8, true);
      const method = view.getUint16(at + 10, true);
      const nameLength = view.getUint16(at + 28, true);
      const extraLength = view.getUint16(at + 30, true);
      const commentLength = view.getUint16(at + 32, true);
      const next = at + 46 + nameLength + extraLength + commentLength;
      if (next > directoryOffset + directorySize)
        throw fail(`entry ${i + 1} of its central directory is cut off`);
      const name = decodeName(bytes.subarray(at + 46, at + 46 + nameLength), (flags & 0x800) !== 0);
      let compressedSize = view.getUint32(at + 20, true);
      let size = view.getUint32(at + 24, true);
      let localHeaderOffset = view.getUint32(at + 42, true);
      const zip64 = readZip64Extra(
        view,
        at + 46 + nameLength,
        extraLength,
        size === 0xffffffff,
        compressedSize === 0xffffffff,
        localHeaderOffset === 0xffffffff,
      );
      if (zip64 === null) throw fail(`the zip64 sizes of ${quotedName(name)} are malformed`);
      size = zip64.size ?? size;
      compressedSize = zip64.compressedSize ?? compressedSize;
      localHeaderOffset = zip64.offset ?? localHeaderOffset;
      if (seen.has(name)) throw fail(`it holds ${quotedName(name)} twice`);
      seen.add(name);
      members.push({
        name,
        method,
        flags,
        crc32: view.getUint32(at + 16, true),
        compressedSize,
        size,
        localHeaderOffset,
      });
      at = next;
    }
    return new ZipArchive(bytes, file, what, hint, members);
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  /**
   * Inflates one member and checks its CRC-32. `maxBytes` is the absolute limit for this member;
   * `limitHint` says what to do when it is exceeded.
   */
  read(name: string, maxBytes: number, limitHint: string): Uint8Array {
    const member = this.byName.get(name);
    if (!member) throw new UserError(`${this.what} has no ${quotedName(name)}`, this.file, null, this.hint);
    const fail = (why: string, hint = this.hint): UserError =>
      new UserError(`${quotedName(name)} in ${this.what} ${why}`, this.file, null, hint);
    if (member.flags & 0x1) throw fail('is encrypted', 'save it again without encryption');
    if (member.method !== 0 && member.method !== 8)
      throw fail(`uses compression method ${member.method} (only stored and deflate are read)`);
    if (member.size > maxBytes)
      throw fail(`declares ${formatBytes(member.size)}, above the ${formatBytes(maxBytes)} limit`, limitHint);
    if (
      member.method === 8 &&
      member.size > RATIO_FREE_BYTES &&
      member.size > member.compressedSize * MAX_COMPRESSION_RATIO
    )
      throw fail(
        `declares ${formatBytes(member.size)} from ${formatBytes(member.compressedSize)} compressed, a ratio above ${MAX_COMPRESSION_RATIO}:1 (a zip bomb or a damaged header)`,
      );
    if (member.method === 0 && member.size !== member.compressedSize)
      throw fail('is stored uncompressed but its two sizes differ');

    const view = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
    const at = member.localHeaderOffset;
    if (at + 30 > this.bytes.length || view.getUint32(at, true) !== LOCAL)
      throw fail('has no local header where the directory says');
    const nameLength = view.getUint16(at + 26, true);
    const extraLength = view.getUint16(at + 28, true);
    const localName = decodeName(
      this.bytes.subarray(at + 30, at + 30 + nameLength),
      (view.getUint16(at + 6, true) & 0x800) !== 0,
    );
    if (localName !== member.name) throw fail('has a local header for another name');
    if (view.getUint16(at + 8, true) !== member.method)
      throw fail('has a local header whose compression method disagrees with the central directory');
    if ((member.flags & 0x8) === 0) {
      // Without a data descriptor the local header repeats the CRC and sizes: they must agree.
      const localCrc = view.getUint32(at + 14, true);
      const localCompressed = view.getUint32(at + 18, true);
      const localSize = view.getUint32(at + 22, true);
      if (
        localCrc !== member.crc32 ||
        (localCompressed !== 0xffffffff && localCompressed !== member.compressedSize) ||
        (localSize !== 0xffffffff && localSize !== member.size)
      )
        throw fail('has a local header that disagrees with the central directory');
    }
    const start = at + 30 + nameLength + extraLength;
    const stop = start + member.compressedSize;
    if (stop > this.bytes.length) throw fail('is cut off (the archive is truncated)');
    const stored = this.bytes.subarray(start, stop);
    let data: Uint8Array;
    if (member.method === 0) data = stored;
    else {
      try {
        // maxOutputLength stops inflating one byte past the declared size: a lying header cannot
        // make it allocate more than it claimed.
        data = inflateRawSync(stored, { maxOutputLength: member.size + 1 });
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        throw fail(
          code === 'ERR_BUFFER_TOO_LARGE'
            ? `inflates to more than the ${formatBytes(member.size)} its header declares`
            : `cannot be inflated (${(e as Error).message})`,
        );
      }
      if (data.length !== member.size)
        throw fail(
          `inflates to ${formatBytes(data.length)}, not the ${formatBytes(member.size)} its header declares`,
        );
    }
    if (crc32(data) !== member.crc32) throw fail('fails its CRC-32 check (the archive is damaged)');
    return data;
  }
}

function findEnd(view: DataView): number {
  const min = Math.max(0, view.byteLength - 22 - 0xffff);
  for (let at = view.byteLength - 22; at >= min; at--) {
    // The comment length must reach exactly to the end of the file, or this is a false match.
    if (view.getUint32(at, true) === END && at + 22 + view.getUint16(at + 20, true) === view.byteLength)
      return at;
  }
  return -1;
}

function safeNumber(v: bigint): number | null {
  return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : null;
}

/** The zip64 extra field (id 1): 64-bit values for the fields the fixed header set to 0xFFFFFFFF. */
function readZip64Extra(
  view: DataView,
  start: number,
  length: number,
  wantSize: boolean,
  wantCompressed: boolean,
  wantOffset: boolean,
): { size?: number; compressedSize?: number; offset?: number } | null {
  if (!wantSize && !wantCompressed && !wantOffset) return {};
  for (let at = start; at + 4 <= start + length;) {
    const id = view.getUint16(at, true);
    const size = view.getUint16(at + 2, true);
    if (at + 4 + size > start + length) return null;
    if (id === 1) {
      const out: { size?: number; compressedSize?: number; offset?: number } = {};
      let p = at + 4;
      const take = (): number | null => {
        if (p + 8 > at + 4 + size) return null;
        const v = safeNumber(view.getBigUint64(p, true));
        p += 8;
        return v;
      };
      for (const [want, key] of [
        [wantSize, 'size'],
        [wantCompressed, 'compressedSize'],
        [wantOffset, 'offset'],
      ] as const) {
        if (!want) continue;
        const v = take();
        if (v === null) return null;
        out[key] = v;
      }
      return out;
    }
    at += 4 + size;
  }
  return null;
}

function decodeName(bytes: Uint8Array, utf8: boolean): string {
  return new TextDecoder(utf8 ? 'utf-8' : 'latin1').decode(bytes);
}
