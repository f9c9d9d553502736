/**
 * The engine process's runtime and environment: which Node binary runs dist/engine.js and where it
 * looks for an optional tfjs-node(-gpu). Pure, so the choices are unit-tested.
 */
import { delimiter } from 'node:path';

/**
 * The engine's search-path variable (src/backend/routes.ts TFJS_NODE_PATH_ENV; a unit test keeps
 * them equal). Not imported from there: routes.ts pulls the backends, which the host must not load.
 */
export const TFJS_NODE_PATH_ENV = 'ACTIVATION_LENS_TFJS_NODE_PATH';

export interface EngineEnvironmentInput {
  baseEnv: NodeJS.ProcessEnv;
  /** activationLens.nodePath: a real Node binary (tfjs-node's native addon does not load in Electron). */
  nodePath: string;
  /** activationLens.tfjsNodePath: a folder holding @tensorflow/tfjs-node(-gpu) (or its node_modules / prefix). */
  tfjsNodePath: string;
  /** Install prefixes made by the install commands, GPU first. */
  installedFolders: string[];
}

export function engineEnvironment(input: EngineEnvironmentInput): {
  execPath: string | undefined;
  env: NodeJS.ProcessEnv;
} {
  const env: NodeJS.ProcessEnv = { ...input.baseEnv };
  const searchPaths = [input.tfjsNodePath.trim(), ...input.installedFolders].filter((p) => p.length > 0);
  if (searchPaths.length > 0) env[TFJS_NODE_PATH_ENV] = searchPaths.join(delimiter);
  const execPath = input.nodePath.trim() || undefined;
  // VS Code's own runtime is Electron; it behaves as plain Node only with this variable set.
  if (!execPath) env.ELECTRON_RUN_AS_NODE = '1';
  else delete env.ELECTRON_RUN_AS_NODE;
  return { execPath, env };
}
