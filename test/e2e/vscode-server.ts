/**
 * Starts a real VS Code server from the npm `code-server` package and stops it again. Two kinds:
 * `code-server` (the product people run, with its own extensions dir and user settings) for the UI
 * flow, and VS Code's bundled plain server (`server-main.js`, which accepts extensionTestsPath and
 * the smoke-test driver) for in-host tests. Both are spawned detached, in their own process group,
 * so stop() — and the exit hook, whatever happens to the suite — kills the server, its extension
 * host and the engine processes it forked, all at once.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { isolatedEnv, type RunLayout } from './run-layout';

export interface ServerOptions {
  kind: 'code-server' | 'vscode-server';
  /** A name for this server's folders and log inside the run dir. */
  name: string;
  extensionsDir: string;
  /** Extra environment for the server and so for the extension host (e.g. ACTIVATION_LENS_TEST_OUT). */
  env?: Record<string, string>;
  /** User settings (code-server keeps them on the server, in userDataDir/User/settings.json). */
  userSettings?: Record<string, unknown>;
  /** Folder code-server opens when the browser asks for `/` (code-server only). */
  folder?: string;
  readyTimeoutMs?: number;
}

export interface ServerProcess {
  origin: string;
  port: number;
  pid: number;
  /** The server's stdout + stderr. */
  logFile: string;
  /** Folders holding VS Code's own logs (the extension host log among them). */
  logRoots: string[];
  stop(): Promise<void>;
}

const live = new Set<number>();
let exitHookInstalled = false;

/** Kills every server process group still alive; synchronous, so it works in an 'exit' handler. */
export function killAllServers(): void {
  for (const pid of live) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  live.clear();
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', killAllServers);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      killAllServers();
      process.exit(130);
    });
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitForHttp(url: string, pid: number, timeoutMs: number, logFile: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (!alive(pid)) throw new Error(`the server exited before it was ready; see ${logFile}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (response.ok) return;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms (${last}); see ${logFile}`);
}

export async function startServer(layout: RunLayout, options: ServerOptions): Promise<ServerProcess> {
  const codeServerDir = join(layout.harnessDir, 'node_modules/code-server');
  if (!existsSync(codeServerDir)) {
    throw new Error(
      `code-server is not installed in ${layout.harnessDir}: run scripts/install-code-server.sh`,
    );
  }
  const base = join(layout.runDir, options.name);
  const userDataDir = join(base, 'user-data');
  const serverDataDir = join(base, 'server-data');
  mkdirSync(options.extensionsDir, { recursive: true });
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  mkdirSync(serverDataDir, { recursive: true });
  if (options.userSettings) {
    writeFileSync(join(userDataDir, 'User/settings.json'), JSON.stringify(options.userSettings, null, 2));
  }
  const port = await freePort();
  const common = [
    '--extensions-dir',
    options.extensionsDir,
    '--disable-workspace-trust',
    '--disable-telemetry',
  ];
  const args =
    options.kind === 'code-server'
      ? [
          join(codeServerDir, 'out/node/entry.js'),
          '--auth',
          'none',
          '--bind-addr',
          `127.0.0.1:${port}`,
          '--disable-update-check',
          '--user-data-dir',
          userDataDir,
          ...common,
          ...(options.folder ? [options.folder] : []),
        ]
      : [
          join(codeServerDir, 'lib/vscode/out/server-main.js'),
          '--host',
          '127.0.0.1',
          '--port',
          String(port),
          '--without-connection-token',
          '--enable-smoke-test-driver',
          '--accept-server-license-terms',
          '--user-data-dir',
          userDataDir,
          '--server-data-dir',
          serverDataDir,
          ...common,
        ];
  const logFile = join(layout.runDir, `${options.name}.log`);
  const logFd = openSync(logFile, 'a');
  const child = spawn(process.execPath, args, {
    cwd: layout.runDir,
    env: isolatedEnv(layout, options.env),
    detached: true,
    stdio: ['ignore', logFd, logFd],
  });
  closeSync(logFd);
  if (child.pid === undefined) throw new Error(`could not start ${options.kind}; see ${logFile}`);
  const pid = child.pid;
  installExitHook();
  live.add(pid);
  child.unref();
  const origin = `http://127.0.0.1:${port}`;
  const server: ServerProcess = {
    origin,
    port,
    pid,
    logFile,
    logRoots: [join(userDataDir, 'logs'), join(serverDataDir, 'data/logs'), join(serverDataDir, 'logs')],
    stop: async () => {
      if (!live.delete(pid)) return;
      try {
        process.kill(-pid, 'SIGTERM');
      } catch {
        return;
      }
      const deadline = Date.now() + 5000;
      while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      try {
        process.kill(-pid, 'SIGKILL'); // the group: the extension host and engine children too
      } catch {
        // already gone
      }
    },
  };
  try {
    await waitForHttp(
      options.kind === 'code-server' ? `${origin}/healthz` : `${origin}/version`,
      pid,
      options.readyTimeoutMs ?? 30_000,
      logFile,
    );
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}
