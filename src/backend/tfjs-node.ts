// The optional native backends: @tensorflow/tfjs-node (CPU) and @tensorflow/tfjs-node-gpu (CUDA).
// Neither ships in the .vsix: their install downloads libtensorflow, and the GPU build wants CUDA
// 11.2 + cuDNN 8.1. They are found in node_modules or in an install the extension made in its global
// storage, and when loading fails the reason names the missing piece and how to supply it.
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export type TfjsNodeKind = 'gpu' | 'cpu';

/** What is missing, for callers that act on it (offer the install command, suggest a driver). */
export type TfjsNodeMissing =
  | 'package' // not installed anywhere searched
  | 'dependency' // installed, but one of its own npm dependencies is not
  | 'addon' // tfjs_binding.node was never downloaded or built
  | 'libtensorflow' // the addon's libtensorflow is not found
  | 'cuda' // a CUDA / cuDNN / driver library is not found
  | 'abi' // built for another Node.js or Electron
  | 'platform' // built for another OS, CPU architecture or glibc
  | 'symbol' // libtensorflow of another version than the addon
  | 'unknown';

export type TfjsNodeLoad =
  { ok: true; module: unknown; path: string } | { ok: false; reason: string; missing: TfjsNodeMissing };

/** The version the rest of the engine's TF.js packages are pinned to; a mismatched copy would not share kernels. */
export const TFJS_NODE_VERSION = '4.22.0';

export function packageNameFor(kind: TfjsNodeKind): string {
  return kind === 'gpu' ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node';
}

/**
 * Finds and loads tfjs-node(-gpu): the given folders first (an install prefix such as the
 * extension's global storage, a node_modules folder, or the package folder itself), then the
 * engine's own node_modules. Never throws; a failure says exactly what is missing.
 */
export function loadTfjsNode(kind: TfjsNodeKind, extraSearchPaths: string[]): TfjsNodeLoad {
  const name = packageNameFor(kind);
  const found = resolvePackage(name, extraSearchPaths);
  if (found === null) {
    const searched = [...extraSearchPaths, "the extension's node_modules"].join(', ');
    return {
      ok: false,
      missing: 'package',
      reason:
        `${name} is not installed (searched ${searched}). Install it with the command "Activation Lens: ` +
        `Install TensorFlow ${kind === 'gpu' ? 'GPU' : 'CPU'} Backend", or \`npm install ${name}@${TFJS_NODE_VERSION}\` ` +
        `in a folder you then name in the settings; its install downloads libtensorflow (behind a firewall set ` +
        `TFJS_NODE_CDN_STORAGE to a mirror)${kind === 'gpu' ? ' and it needs CUDA 11.2 + cuDNN 8.1 with an NVIDIA driver > 450' : ''}.`,
    };
  }
  try {
    const load = createRequire(join(found.dir, 'package.json'));
    return { ok: true, module: load(found.main), path: found.dir };
  } catch (e) {
    const { missing, reason } = classifyLoadError(kind, errorText(e));
    return { ok: false, missing, reason: `${name} at ${found.dir} did not load: ${reason}` };
  }
}

interface FoundPackage {
  dir: string;
  main: string;
}

function resolvePackage(name: string, extraSearchPaths: string[]): FoundPackage | null {
  for (const base of extraSearchPaths) {
    // The folder may be the package itself, a node_modules folder, or an install prefix.
    for (const dir of [base, join(base, name), join(base, 'node_modules', name)]) {
      if (packageNameAt(dir) === name) return { dir, main: dir };
    }
  }
  try {
    const main = createRequire(__filename).resolve(name);
    const dir = packageDirOf(main, name);
    return dir === null ? null : { dir, main: dir };
  } catch {
    return null;
  }
}

function packageNameAt(dir: string): string | null {
  const manifest = join(dir, 'package.json');
  if (!existsSync(manifest)) return null;
  try {
    const parsed: unknown = JSON.parse(readFileSync(manifest, 'utf8'));
    return typeof parsed === 'object' &&
      parsed !== null &&
      'name' in parsed &&
      typeof parsed.name === 'string'
      ? parsed.name
      : null;
  } catch {
    return null;
  }
}

function packageDirOf(file: string, name: string): string | null {
  for (let dir = dirname(file); dir !== dirname(dir); dir = dirname(dir)) {
    if (packageNameAt(dir) === name) return dir;
  }
  return null;
}

// Sonames TensorFlow 2.9 (tfjs-node-gpu 4.x) links or opens, mapped to what supplies them.
const CUDA_LIBRARIES: [RegExp, string][] = [
  [
    /^libcuda\.so/,
    'the NVIDIA driver (libcuda.so.1; in a container, run it with the NVIDIA container toolkit)',
  ],
  [/^libcudnn/, 'cuDNN 8.1 (libcudnn8)'],
  [/^libnvinfer/, 'TensorRT (optional; TensorFlow runs without it)'],
  [
    /^(libcudart|libcublas|libcublasLt|libcufft|libcurand|libcusolver|libcusparse|libnvJitLink)\b/,
    'the CUDA 11.2 runtime libraries',
  ],
];

/**
 * Names the missing piece from the text of a failed `require` (Linux dlopen, macOS dyld, Windows
 * LoadLibrary and tfjs-node's own messages).
 */
export function classifyLoadError(
  kind: TfjsNodeKind,
  text: string,
): { missing: TfjsNodeMissing; reason: string } {
  const name = packageNameFor(kind);
  const firstLine = text.split('\n')[0]?.trim() ?? text;

  // tfjs-node ≥ 2 checks for the addon itself; older versions let require fail on the path.
  if (/tfjs_binding\.node\) can not be found|Cannot find module '[^']*tfjs_binding\.node'/.test(text)) {
    return {
      missing: 'addon',
      reason:
        `its native addon (tfjs_binding.node) was never downloaded or built — the install ran offline or with ` +
        `--ignore-scripts. Reinstall with network access (or TFJS_NODE_CDN_STORAGE pointing at a mirror), or run ` +
        `\`npm rebuild ${name} --build-addon-from-source\`.`,
    };
  }

  if (/tfjs_binding\.node: file too short/.test(text)) {
    return {
      missing: 'addon',
      reason: `its native addon (tfjs_binding.node) is damaged — a truncated download. Reinstall ${name}.`,
    };
  }

  const library =
    /([\w.+-]+\.so(?:\.\d+)*): cannot open shared object file/.exec(text)?.[1] ??
    /Library not loaded: \S*?([\w.+-]+\.dylib)/.exec(text)?.[1] ??
    /[Cc]ould not load dynamic library '([^']+)'/.exec(text)?.[1] ??
    null;
  if (library !== null) {
    if (/^libtensorflow/.test(library)) {
      return {
        missing: 'libtensorflow',
        reason:
          `${library} is not found: the addon's libtensorflow (${name}/deps/lib) is missing — its download during ` +
          `install failed. Reinstall ${name} with network access (or TFJS_NODE_CDN_STORAGE), or put the library on ` +
          `LD_LIBRARY_PATH.`,
      };
    }
    const cuda = CUDA_LIBRARIES.find(([pattern]) => pattern.test(library));
    if (cuda !== undefined) {
      return {
        missing: 'cuda',
        reason: `${library} is not found: install ${cuda[1]}, or add its folder to LD_LIBRARY_PATH.`,
      };
    }
    return { missing: 'platform', reason: `the shared library ${library} is not found (${firstLine}).` };
  }

  if (/The specified module could not be found/.test(text)) {
    return {
      missing: kind === 'gpu' ? 'cuda' : 'libtensorflow',
      reason:
        `a DLL the addon needs is not found: tensorflow.dll in ${name}\\deps\\lib` +
        (kind === 'gpu'
          ? ', or the CUDA 11.2 / cuDNN 8.1 DLLs (cudart64_110.dll, cudnn64_8.dll) on PATH'
          : '') +
        '.',
    };
  }

  const symbol = /undefined symbol: (\S+)/.exec(text)?.[1] ?? /Symbol not found: (\S+)/.exec(text)?.[1];
  if (symbol !== undefined) {
    return {
      missing: 'symbol',
      reason: `the addon and its libtensorflow are of different versions (undefined symbol ${symbol}); reinstall ${name}@${TFJS_NODE_VERSION}.`,
    };
  }
  if (/NODE_MODULE_VERSION|compiled against a different Node\.js version/.test(text)) {
    return {
      missing: 'abi',
      reason:
        `the addon was built for another Node.js/Electron ABI (${firstLine}). The engine must run in a real ` +
        `Node.js (the native binding fails inside Electron, tfjs#2640): set the Node path setting, or rebuild ` +
        `with \`npm rebuild ${name} --build-addon-from-source\` under the Node that runs the engine.`,
    };
  }
  const glibc = /version `((?:GLIBC|GLIBCXX|CXXABI)_[\d.]+)' not found/.exec(text)?.[1];
  if (glibc !== undefined) {
    return { missing: 'platform', reason: `the system C library is too old: ${glibc} is required.` };
  }
  if (
    /wrong ELF class|invalid ELF header|not a valid Win32 application|incompatible architecture|mach-o file, but is an incompatible/.test(
      text,
    )
  ) {
    return {
      missing: 'platform',
      reason: `the addon was built for another OS or CPU architecture (${firstLine}); reinstall ${name} on this machine.`,
    };
  }
  const dependency = /Cannot find module '([^']+)'/.exec(text)?.[1];
  if (dependency !== undefined) {
    return {
      missing: 'dependency',
      reason: `its dependency ${dependency} is not installed; reinstall ${name}@${TFJS_NODE_VERSION} with its dependencies.`,
    };
  }
  return { missing: 'unknown', reason: firstLine };
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * After `setBackend('tensorflow')` with the GPU build: whether TensorFlow really found a CUDA
 * device. Without one it runs on the CPU and only logs "Could not load dynamic library …".
 */
export function tensorflowBackendOnGpu(backendInstance: unknown): boolean {
  return (
    typeof backendInstance === 'object' &&
    backendInstance !== null &&
    (backendInstance as { isUsingGpuDevice?: unknown }).isUsingGpuDevice === true
  );
}
