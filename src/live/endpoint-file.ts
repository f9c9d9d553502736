/**
 * The per-user endpoint file, `~/.activation-lens/endpoint.json` `{address, token, pid}`: how a
 * training run started outside VS Code's terminals (a notebook, another terminal) finds the
 * dashboard of the running window. It holds the token, so it is written readable by this user only
 * (folder 0700, file 0600, replaced atomically by a rename) and the taps refuse it otherwise
 * (python/activation_lens/endpoint.py). The newest window to start listening owns it; a window
 * removes it on the way out only if it is still its own.
 */
import { lstatSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

export interface Endpoint {
  address: string;
  token: string;
  pid: number;
}

/** ACTIVATION_LENS_ENDPOINT_FILE (the taps read the same override), else ~/.activation-lens/endpoint.json. */
export function endpointFilePath(env: NodeJS.ProcessEnv = process.env): string {
  return env.ACTIVATION_LENS_ENDPOINT_FILE || join(homedir(), '.activation-lens', 'endpoint.json');
}

/** Writes the file (mode 0600 in a 0700 folder); throws with the reason when it cannot. */
export function writeEndpointFile(file: string, endpoint: Endpoint): void {
  const folder = dirname(file);
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  const info = lstatSync(folder);
  if (!info.isDirectory()) throw new Error(`${folder} is not a folder`);
  if (typeof process.getuid === 'function' && info.uid !== process.getuid())
    throw new Error(`${folder} belongs to another user`);
  const temporary = `${file}.${process.pid}.tmp`;
  // 'wx': never through a file or link someone else put there.
  writeFileSync(temporary, `${JSON.stringify(endpoint)}\n`, { mode: 0o600, flag: 'wx' });
  try {
    renameSync(temporary, file);
  } catch (e) {
    unlinkSync(temporary);
    throw e;
  }
}

/** Removes the file if it still names `pid` (another window may have taken it over since). */
export function removeEndpointFile(file: string, pid: number): boolean {
  try {
    const info = lstatSync(file);
    if (!info.isFile()) return false;
    const current = JSON.parse(readFileSync(file, 'utf8')) as { pid?: unknown };
    if (current.pid !== pid) return false;
    unlinkSync(file);
    return true;
  } catch {
    return false;
  }
}
