/**
 * One suite at a time per checkout: every run wipes and reuses test/e2e/.run, and two VS Codes
 * training at once on two shared cores would only time each other out. A second suite waits for
 * the first (the lock names its pid); a lock whose process is gone is taken over.
 */
import { mkdirSync, openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import { dirname } from 'node:path';

function holder(path: string): number | undefined {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Takes the lock (waiting up to timeoutMs for another suite); returns its release function. */
export async function acquireSuiteLock(path: string, timeoutMs: number): Promise<() => void> {
  mkdirSync(dirname(path), { recursive: true });
  const deadline = Date.now() + timeoutMs;
  let told = false;
  for (;;) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      const release = () => {
        if (holder(path) === process.pid) rmSync(path, { force: true });
      };
      process.on('exit', release);
      return release;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const pid = holder(path);
    if (pid === undefined || !alive(pid)) {
      rmSync(path, { force: true }); // left by a suite that was killed
      continue;
    }
    if (Date.now() > deadline)
      throw new Error(`another e2e suite (pid ${pid}) still holds ${path} after ${timeoutMs / 1000} s`);
    if (!told) {
      console.log(`waiting for another e2e suite (pid ${pid}) to finish…`);
      told = true;
    }
    await new Promise((r) => setTimeout(r, 2000));
  }
}
