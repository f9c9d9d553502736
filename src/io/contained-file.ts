/**
 * Reading the files a model or data file NAMES (weight shards, data siblings such as foo_y.npy) and
 * the file the person named, without ever blocking, growing without bound or leaving the folder.
 *
 * - A named file must resolve (real path, symlinks followed) to a regular file INSIDE the folder of
 *   the file that names it: `../`, absolute paths and symlinks out are refused, and nothing about
 *   the outside target (its path, size, kind, or whether it exists) is ever put in a message.
 * - Only regular files are opened: the kind is checked with stat before opening (a FIFO would block
 *   `open` itself), the open is non-blocking and never follows a last-moment symlink, and the open
 *   descriptor is checked again with fstat, so /dev/zero or a FIFO never reaches `read`.
 * - Sizes are checked against what the caller needs before reading, and exactly the size fstat
 *   reported is read (a file that grows meanwhile is not followed).
 */
import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  openSync,
  readSync,
  realpathSync,
  statSync,
  type Stats,
} from 'node:fs';
import { dirname, isAbsolute, join, normalize, relative, sep } from 'node:path';
import { UserError } from '../errors';

/** How a path looks in a message: quoted, control characters escaped, long names shortened. */
export function quotedName(name: string): string {
  const text = JSON.stringify(name.length > 80 ? `${name.slice(0, 77)}…` : name);
  return `'${text.slice(1, -1)}'`;
}

function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} bytes`;
  if (n >= 1024 ** 6) return `${n.toExponential(2)} bytes`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}

/** Reads exactly `size` bytes from an open descriptor; a file that shrank meanwhile is an error. */
function readExactly(fd: number, size: number): Buffer | null {
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  while (at < size) {
    const n = readSync(fd, out, at, Math.min(size - at, 1 << 26), at);
    if (n === 0) return null;
    at += n;
  }
  return out;
}

/** The stat of `real`, which must be a regular file (not a folder, FIFO, device or socket). */
function regularFileStat(real: string, fail: (what: string) => UserError): Stats {
  let st: Stats;
  try {
    st = statSync(real);
  } catch (e) {
    throw fail(`cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (!st.isFile()) throw fail(`is ${kindOf(st)}, not a regular file`);
  return st;
}

/**
 * Opens `real` (a path without symlinks) and reads it, refusing anything but a regular file of at
 * most `maxBytes`. `fail` makes the UserError; `tooBig` words the size refusal.
 */
function readRegular(
  real: string,
  maxBytes: number,
  fail: (what: string, hint?: string) => UserError,
  tooBig: (size: number) => UserError,
): Buffer {
  const st = regularFileStat(real, fail);
  if (st.size > maxBytes) throw tooBig(st.size);
  let fd: number;
  try {
    // O_NONBLOCK: should the file have become a FIFO since the stat, open returns instead of waiting.
    fd = openSync(real, constants.O_RDONLY | constants.O_NONBLOCK | (constants.O_NOFOLLOW ?? 0));
  } catch (e) {
    throw fail(`cannot be opened (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    const fst = fstatSync(fd);
    if (!fst.isFile() || fst.ino !== st.ino || fst.dev !== st.dev)
      throw fail('changed while it was being opened', 'try again');
    if (fst.size > maxBytes) throw tooBig(fst.size);
    const bytes = readExactly(fd, fst.size);
    if (!bytes) throw fail('became shorter while it was being read', 'try again');
    return bytes;
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads a file the person named (the model or data file itself). Symlinks are followed (the person
 * chose the path), but only a regular file of at most `maxBytes` is read.
 */
export function readNamedFile(path: string, what: string, maxBytes: number, sizeHint: string): Buffer {
  const fail = (why: string, hint = 'pass a regular file'): UserError =>
    new UserError(`${what} ${why}`, path, null, hint);
  let real: string;
  try {
    real = realpathSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw code === 'ENOENT'
      ? fail('does not exist', 'check the path')
      : fail(`cannot be read (${code ?? 'error'})`);
  }
  return readRegular(real, maxBytes, fail, (size) =>
    fail(`is ${formatBytes(size)}, above the ${formatBytes(maxBytes)} limit`, sizeHint),
  );
}

/** Where a file named inside another lives, and how to talk about it. */
export interface NamedInside {
  /** The folder the named file must be in: the folder of the model.json / the data file. */
  folder: string;
  /** The name as written in the naming file (or made from it), relative to `folder`. */
  name: string;
  /** The file that names it, which errors point at. */
  namedIn: string;
  /** 'the weight shard', 'the labels file' … */
  what: string;
  /** What to do when the name leads outside or to something unreadable. */
  hint: string;
}

function isInside(real: string, realFolder: string): boolean {
  return real.startsWith(realFolder.endsWith(sep) ? realFolder : `${realFolder}${sep}`);
}

/**
 * The real path of `name` inside `folder`, or why not. Outside targets are reported without being
 * described; a missing file inside the folder is 'missing'.
 */
export function resolveInside(
  at: NamedInside,
): { real: string } | { missing: true } | { outside: true } | { error: string } {
  if (at.name === '' || at.name.includes('\0') || isAbsolute(at.name)) return { outside: true };
  const lexical = normalize(at.name);
  if (lexical === '..' || lexical.startsWith(`..${sep}`)) return { outside: true };
  let realFolder: string;
  try {
    realFolder = realpathSync(at.folder);
  } catch (e) {
    return { error: (e as NodeJS.ErrnoException).code ?? 'error' };
  }
  const target = join(at.folder, lexical);
  try {
    const real = realpathSync(target);
    return isInside(real, realFolder) ? { real } : { outside: true };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // Whether a path through a symlinked folder exists outside is not ours to say: only a missing
    // file whose (existing) parent is inside the folder is reported as missing.
    for (let dir = dirname(target); ; dir = dirname(dir)) {
      try {
        const realDir = realpathSync(dir);
        if (realDir !== realFolder && !isInside(realDir, realFolder)) return { outside: true };
        return code === 'ENOENT' || code === 'ENOTDIR' ? { missing: true } : { error: code ?? 'error' };
      } catch {
        if (relative(at.folder, dir) === '' || dirname(dir) === dir) return { outside: true };
      }
    }
  }
}

/**
 * Whether the folder has an entry `name` (a plain file name, for optional siblings such as
 * x_test.npy). Any entry counts — a symlink out, a FIFO — so that reading it then refuses it
 * rather than the sibling being silently skipped; nothing is followed or opened here.
 */
export function entryExists(folder: string, name: string): boolean {
  if (name.includes('/') || name.includes(sep) || name === '..' || name === '.') return false;
  try {
    lstatSync(join(folder, name));
    return true;
  } catch {
    return false;
  }
}

function insideFailure(at: NamedInside) {
  return (why: string, hint = at.hint): UserError =>
    new UserError(`${at.what} ${quotedName(at.name)} ${why}`, at.namedIn, null, hint);
}

/** The real path of a file that must exist inside the folder, else a UserError that says why. */
export function realPathInside(at: NamedInside): string {
  const fail = insideFailure(at);
  const r = resolveInside(at);
  if ('real' in r) return r.real;
  if ('missing' in r) throw fail('is missing');
  if ('outside' in r)
    throw fail(`is not inside the folder of ${quotedName(at.namedIn.split(sep).pop() ?? '')}`);
  throw fail(`cannot be read (${r.error})`);
}

/**
 * The size of a file that must be a regular file inside the folder (checked before any read, so a
 * caller can compare it with what a manifest needs).
 */
export function sizeInside(at: NamedInside): number {
  const fail = insideFailure(at);
  return regularFileStat(realPathInside(at), fail).size;
}

/** Reads a regular file inside the folder of at most `maxBytes`. */
export function readInside(at: NamedInside, maxBytes: number, sizeHint: string): Buffer {
  const fail = insideFailure(at);
  return readRegular(realPathInside(at), maxBytes, fail, (size) =>
    fail(`is ${formatBytes(size)}, above the ${formatBytes(maxBytes)} limit`, sizeHint),
  );
}
