/**
 * The engine process's runtime and environment: which Node binary runs dist/engine.js and where it
 * finds an optional tfjs-node(-gpu). Pure, so the choices are unit-tested.
 */
import { delimiter, join } from 'node:path';

export interface EngineEnvironmentInput {
  baseEnv: NodeJS.ProcessEnv;
  /** activationLens.nodePath: a real Node binary (tfjs-node's native addon does not load in Electron). */
  nodePath: string;
  /** activationLens.tfjsNodePath: a folder holding node_modules/@tensorflow/tfjs-node(-gpu). */
  tfjsNodePath: string;
  /** Where installGpuBackend put tfjs-node-gpu, when it did. */
  gpuBackendFolder: string | null;
}

export function engineEnvironment(input: EngineEnvironmentInput): { execPath: string | undefined; env: NodeJS.ProcessEnv } {
  const extraModules = [input.tfjsNodePath.trim(), input.gpuBackendFolder]
    .filter((p): p is string => !!p)
    .map((p) => (p.endsWith('node_modules') ? p : join(p, 'node_modules')));
  const nodePathVar = [...extraModules, ...(input.baseEnv.NODE_PATH ? [input.baseEnv.NODE_PATH] : [])].join(delimiter);
  const env: NodeJS.ProcessEnv = { ...input.baseEnv };
  if (nodePathVar) env.NODE_PATH = nodePathVar;
  const execPath = input.nodePath.trim() || undefined;
  // VS Code's own runtime is Electron; it behaves as plain Node only with this variable set.
  if (!execPath) env.ELECTRON_RUN_AS_NODE = '1';
  else delete env.ELECTRON_RUN_AS_NODE;
  return { execPath, env };
}
