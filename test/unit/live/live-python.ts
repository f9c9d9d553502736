/**
 * Shared by the live-taps tests: where the Python package is, running `python -m activation_lens`
 * (or a test module) with it importable, and a loopback listener that records the JSON lines.
 */
import { spawn } from 'node:child_process';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { resolve } from 'node:path';
import { testPython } from '../../support/python-env';

/** dist-test/unit/live → the repository. */
export const repoRoot = resolve(__dirname, '../../..');
export const pythonDir = resolve(repoRoot, 'python');
export const fixtures = resolve(repoRoot, 'test/fixtures/live');

export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the test Python with the package on PYTHONPATH; never throws on a non-zero exit. */
export function runPython(
  args: string[],
  env: Record<string, string>,
  cwd = pythonDir,
  timeoutMs = 300_000,
): Promise<Finished> {
  return new Promise((done, fail) => {
    const child = spawn(testPython(), args, {
      cwd,
      env: {
        ...process.env,
        PYTHONPATH: pythonDir,
        TF_CPP_MIN_LOG_LEVEL: '3',
        ACTIVATION_LENS_ADDRESS: '',
        ACTIVATION_LENS_TOKEN: '',
        ...env,
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

/** A loopback TCP listener that keeps every JSON line of every connection. */
export class LineListener {
  readonly connections: unknown[][] = [];
  private readonly server: Server;

  private constructor(server: Server) {
    this.server = server;
  }

  static async start(): Promise<LineListener> {
    const server = createServer();
    const listener = new LineListener(server);
    server.on('connection', (socket) => {
      const lines: unknown[] = [];
      listener.connections.push(lines);
      let buffered = '';
      socket.on('data', (chunk: Buffer) => {
        buffered += chunk.toString('utf8');
        let newline: number;
        while ((newline = buffered.indexOf('\n')) >= 0) {
          lines.push(JSON.parse(buffered.slice(0, newline)));
          buffered = buffered.slice(newline + 1);
        }
      });
    });
    await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
    return listener;
  }

  get address(): string {
    return `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    return new Promise((done) => this.server.close(() => done()));
  }
}
