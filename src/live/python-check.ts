/**
 * Before a training script runs with the taps: can this interpreter run them at all? One clear
 * message each for a missing interpreter, one that is not Python ≥ 3.9, and one that cannot import
 * the bundled package. `python -m activation_lens check` answers from package metadata, without
 * importing the frameworks (seconds, not the tens of seconds `import tensorflow` takes). Which
 * framework the script needs — and whether its version is supported — the taps say themselves
 * when the script imports it (python/README.md "Messages"), so a script using Keras is not
 * refused for an old torch it never imports.
 */
import { spawn } from 'node:child_process';
import { UserError } from '../errors';

/** What `python -m activation_lens check` prints. */
export interface PythonCheck {
  python: string;
  pythonVersion: string;
  activationLens: string;
  torch: string | null;
  keras: string | null;
  tensorflow: string | null;
  supported: boolean;
}

const CHECK_TIMEOUT_MS = 60_000;

function parseCheck(stdout: string): PythonCheck | null {
  const line = stdout.trim().split('\n').pop() ?? '';
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof raw !== 'object' || raw === null) return null;
  const o = raw as Record<string, unknown>;
  const str = (k: string) => (typeof o[k] === 'string' ? (o[k] as string) : null);
  if (!str('python') || !str('pythonVersion') || typeof o.supported !== 'boolean') return null;
  return {
    python: str('python')!,
    pythonVersion: str('pythonVersion')!,
    activationLens: str('activationLens') ?? '',
    torch: str('torch'),
    keras: str('keras'),
    tensorflow: str('tensorflow'),
    supported: o.supported,
  };
}

/** Runs the check; throws a UserError that says what is wrong with `python` and what to do. */
export function checkPython(python: string, env: NodeJS.ProcessEnv): Promise<PythonCheck> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, ['-m', 'activation_lens', 'check'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: CHECK_TIMEOUT_MS,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout = (stdout + d).slice(-65536)));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-65536)));
    child.on('error', (e: NodeJS.ErrnoException) =>
      reject(
        new UserError(
          e.code === 'ENOENT'
            ? `${python}: no such Python interpreter`
            : `${python} could not be started (${e.message})`,
          null,
          null,
          "choose the Python your training uses (the Python extension's interpreter, activationLens.pythonPath, or --python PATH)",
        ),
      ),
    );
    child.on('close', (code, signal) => {
      const check = parseCheck(stdout);
      if (check && !check.supported)
        return reject(
          new UserError(
            `${python} is Python ${check.pythonVersion}; the live taps need Python 3.9 or newer`,
            null,
            null,
            'choose a newer interpreter',
          ),
        );
      if (check && code === 0) return resolve(check);
      const last = stderr.trim().split('\n').pop() ?? '';
      reject(
        new UserError(
          signal
            ? `${python} -m activation_lens check was killed (${signal})`
            : `${python} cannot run the live taps${last ? ` (${last})` : ` (exit code ${code})`}`,
          null,
          null,
          'the taps need Python 3.9 or newer; is this a Python interpreter?',
        ),
      );
    });
  });
}

/** "PyTorch 2.13.0+cpu", "Keras 3.15.1 (TensorFlow 2.21.0)": what this Python could train with. */
export function frameworksOf(check: PythonCheck): string {
  const found = [
    check.torch ? `PyTorch ${check.torch}` : null,
    check.keras ? `Keras ${check.keras}${check.tensorflow ? ` (TensorFlow ${check.tensorflow})` : ''}` : null,
  ].filter((x): x is string => x !== null);
  return found.length ? found.join(', ') : 'neither PyTorch nor Keras';
}
