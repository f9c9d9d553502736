/**
 * Native libraries log to the process's stderr below any JavaScript: TensorFlow (tfjs-node's
 * oneDNN and cpu_feature_guard lines), Mesa ("XDG_RUNTIME_DIR is invalid or not set") and Dawn.
 * Whatever can be set before they load is set here, and only then; `--debug` keeps them talking.
 * Dawn's own adapter warnings have no switch in the `webgpu` package (no log level, no instance
 * logging callback), so `--backend auto` measures WebGPU in a child process (webgpu-probe.ts).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let shown = false;

/** `--debug`: native libraries keep their own log levels. */
export function showNativeLogs(): void {
  shown = true;
}

export function nativeLogsShown(): boolean {
  return shown;
}

/** TF_CPP_MIN_LOG_LEVEL=2 (errors only) before libtensorflow loads, unless set or --debug. */
export function quietTensorflowLogs(): void {
  if (!shown && process.env.TF_CPP_MIN_LOG_LEVEL === undefined) process.env.TF_CPP_MIN_LOG_LEVEL = '2';
}

/** A runtime dir as the XDG spec wants it: a directory of ours, mode 0700. */
function usableRuntimeDir(dir: string | undefined): boolean {
  if (!dir) return false;
  try {
    const s = statSync(dir);
    return s.isDirectory() && (s.mode & 0o777) === 0o700 && (process.getuid?.() ?? s.uid) === s.uid;
  } catch {
    return false;
  }
}

/**
 * Gives Mesa a valid XDG_RUNTIME_DIR (a private one, mode 0700, removed at exit) when the
 * environment has none, so it does not complain while Dawn loads. Linux only; a valid one is kept.
 */
export function ensureRuntimeDir(): void {
  if (process.platform !== 'linux' || usableRuntimeDir(process.env.XDG_RUNTIME_DIR)) return;
  // mkdtemp creates the directory with mode 0700.
  const dir = mkdtempSync(join(tmpdir(), 'activation-lens-xdg-'));
  process.env.XDG_RUNTIME_DIR = dir;
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
}
