/**
 * activationLens.installGpuBackend: `npm install @tensorflow/tfjs-node-gpu` into the extension's
 * global storage (never into the person's project). Its install downloads libtensorflow and needs
 * CUDA 11.2 + cuDNN 8.1 (DESIGN.md), so it is optional and explicit. The engine finds it through
 * NODE_PATH (see engineEnvironment).
 */
import * as vscode from 'vscode';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** Same version as @tensorflow/tfjs: TF.js refuses to mix versions across packages. */
export const TFJS_NODE_GPU = '@tensorflow/tfjs-node-gpu@4.22.0';

export function gpuBackendFolder(globalStorage: vscode.Uri): string {
  return join(globalStorage.fsPath, 'tfjs-node-gpu');
}

export function gpuBackendInstalled(globalStorage: vscode.Uri): boolean {
  return existsSync(join(gpuBackendFolder(globalStorage), 'node_modules', '@tensorflow', 'tfjs-node-gpu', 'package.json'));
}

export async function installGpuBackend(globalStorage: vscode.Uri, log: vscode.LogOutputChannel): Promise<boolean> {
  const prefix = gpuBackendFolder(globalStorage);
  mkdirSync(prefix, { recursive: true });
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const args = ['install', '--no-audit', '--no-fund', '--no-save', '--prefix', prefix, TFJS_NODE_GPU];
  log.info(`installing the TensorFlow GPU backend: ${npm} ${args.join(' ')}`);
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Activation Lens: installing the TensorFlow GPU backend', cancellable: true },
    (progress, token) =>
      new Promise<{ code: number | null; error: string | null }>((resolve) => {
        progress.report({ message: `npm install ${TFJS_NODE_GPU} (downloads libtensorflow, a few hundred MB)…` });
        const child = spawn(npm, args, { cwd: prefix, shell: process.platform === 'win32', env: process.env });
        token.onCancellationRequested(() => child.kill());
        const forward = (d: Buffer) => {
          for (const line of d.toString('utf8').split('\n')) {
            if (!line.trim()) continue;
            log.info(`[npm] ${line}`);
            progress.report({ message: line.slice(0, 120) });
          }
        };
        child.stdout.on('data', forward);
        child.stderr.on('data', forward);
        child.on('error', (e) => resolve({ code: null, error: e.message }));
        child.on('close', (code) => resolve({ code, error: null }));
      }),
  );
  if (result.code === 0 && gpuBackendInstalled(globalStorage)) {
    log.info(`GPU backend installed in ${prefix}`);
    void vscode.window.showInformationMessage(
      `Activation Lens: the TensorFlow GPU backend is installed (${prefix}). It needs a Node.js whose ABI it was built for: set "activationLens.nodePath" to a Node 20 binary, and backend "auto" or "tensorflow".`,
    );
    return true;
  }
  const why = result.error ? `npm could not be started (${result.error}); install Node.js with npm and make sure it is on PATH` : `npm exited with code ${result.code}`;
  log.error(`GPU backend install failed: ${why}`);
  const choice = await vscode.window.showErrorMessage(
    `Activation Lens: installing ${TFJS_NODE_GPU} failed — ${why}. It needs CUDA 11.2 and cuDNN 8.1 and network access; the analysis still runs on the WebGPU, WASM or CPU backends.`,
    'Show Log',
  );
  if (choice === 'Show Log') log.show(true);
  return false;
}
