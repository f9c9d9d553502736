// WebGPU through Dawn (npm `webgpu`, dawn.node inside the package): a real GPU route that installs
// offline. Vulkan/D3D12/Metal first; on Linux without a usable Vulkan driver, OpenGL ES in
// compatibility mode, which also runs on Mesa's llvmpipe so CI exercises the GPU code path.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ensureRuntimeDir } from './native-logs';
import { installIntegerTransposeFix } from './webgpu-int-transpose';

type Tf = typeof import('@tensorflow/tfjs');

export type WebGpuInit =
  | {
      ok: true;
      /** One line for the status bar and reports: route, adapter, driver, software or hardware. */
      detail: string;
      software: boolean;
      route: WebGpuRouteName;
      adapter: WebGpuAdapterDescription;
    }
  | { ok: false; reason: string };

export type WebGpuRouteName = 'native' | 'opengles';

export interface WebGpuAdapterDescription {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isFallbackAdapter: boolean;
}

// Dawn's objects, typed as far as this file uses them. The `webgpu` package and tfjs-backend-webgpu
// bring two different @webgpu/types versions; describing the surface here keeps them from meeting.
interface DawnAdapter {
  readonly info?: Partial<WebGpuAdapterDescription>;
  readonly limits: Readonly<Record<string, number>>;
  requestAdapterInfo?: () => Promise<Partial<WebGpuAdapterDescription>>;
  requestDevice(descriptor?: { requiredLimits?: Record<string, number> }): Promise<DawnDevice>;
}
interface DawnDevice {
  addEventListener(type: 'uncapturederror', listener: (event: { error: { message: string } }) => void): void;
  readonly lost: Promise<{ reason: string; message: string }>;
}
interface DawnGpu {
  requestAdapter(options?: { powerPreference?: string; featureLevel?: string }): Promise<DawnAdapter | null>;
}
interface DawnModule {
  create(flags: string[]): DawnGpu;
  globals: Record<string, unknown>;
}

interface Route {
  name: WebGpuRouteName;
  label: string;
  flags: string[];
  adapterOptions: { powerPreference?: string; featureLevel?: string };
}

function routesFor(platform: NodeJS.Platform): Route[] {
  const nativeLabel = platform === 'win32' ? 'D3D12' : platform === 'darwin' ? 'Metal' : 'Vulkan';
  const routes: Route[] = [
    {
      name: 'native',
      label: nativeLabel,
      flags: [],
      adapterOptions: { powerPreference: 'high-performance' },
    },
  ];
  // Compatibility mode is what lets Dawn's GL backend expose an adapter at all.
  if (platform === 'linux') {
    routes.push({
      name: 'opengles',
      label: 'OpenGL ES (compatibility)',
      flags: ['backend=opengles'],
      adapterOptions: { featureLevel: 'compatibility' },
    });
  }
  return routes;
}

// Limits the backend's kernels depend on. tfjs-backend-webgpu's own factory asks for the first six;
// the storage-buffer count matters in compatibility mode, where the device default (8) is below
// what the adapter offers and addN/concat size their batches from it.
const REQUIRED_LIMITS = [
  'maxComputeWorkgroupStorageSize',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupSizeX',
  'maxComputeInvocationsPerWorkgroup',
  'maxStorageBuffersPerShaderStage',
] as const;

const SOFTWARE_ADAPTER = /llvmpipe|lavapipe|softpipe|swiftshader|software|basic render/i;

/** True for CPU rasterisers posing as GPUs: Mesa llvmpipe/lavapipe, SwiftShader, WARP. */
export function isSoftwareAdapter(info: WebGpuAdapterDescription): boolean {
  if (info.isFallbackAdapter) return true;
  return SOFTWARE_ADAPTER.test([info.vendor, info.architecture, info.device, info.description].join(' '));
}

export function describeAdapter(
  info: Partial<WebGpuAdapterDescription> | undefined,
): WebGpuAdapterDescription {
  return {
    vendor: info?.vendor ?? '',
    architecture: info?.architecture ?? '',
    device: info?.device ?? '',
    description: info?.description ?? '',
    isFallbackAdapter: info?.isFallbackAdapter === true,
  };
}

/** `WebGPU · Vulkan · NVIDIA GeForce RTX 4090 (nvidia, lovelace) · NVIDIA: 550.54 · hardware` */
export function formatAdapterDetail(
  routeLabel: string,
  info: WebGpuAdapterDescription,
  software: boolean,
): string {
  const identity = [info.vendor, info.architecture].filter((s) => s.length > 0).join(', ');
  const device = (info.device || 'unnamed adapter') + (identity ? ` (${identity})` : '');
  const parts = ['WebGPU (Dawn)', routeLabel, device];
  if (info.description) parts.push(info.description);
  parts.push(software ? 'software adapter (CPU rasteriser)' : 'hardware');
  return parts.join(' · ');
}

const MAX_KEPT_ERRORS = 20;
const deviceErrors: string[] = [];

function recordDeviceError(text: string): void {
  if (deviceErrors.length < MAX_KEPT_ERRORS) deviceErrors.push(text.split('\n')[0] ?? text);
}

/**
 * WebGPU validation, out-of-memory and device-lost errors since the last call. Non-empty means
 * results computed since then cannot be trusted (tfjs does not turn them into exceptions).
 */
export function takeWebGpuErrors(): string[] {
  return deviceErrors.splice(0);
}

// A process gets one WebGPU device; a success is shared by every later call, a failure is retried.
let started: Promise<WebGpuInit> | null = null;

/**
 * Makes `webgpu` the active TF.js backend on the best Dawn adapter, verified by a computation read
 * back from the device. Never throws for "unavailable": the reason says what was tried and what to
 * install.
 */
export async function initWebGpu(tf: Tf, opts: { allowSoftware: boolean }): Promise<WebGpuInit> {
  const attempt = started ?? initOnce(tf, opts);
  started = attempt;
  const result = await attempt;
  if (!result.ok) {
    if (started === attempt) started = null;
    return result;
  }
  if (result.software && !opts.allowSoftware) {
    return { ok: false, reason: `only a software WebGPU adapter is available (${result.detail})` };
  }
  if (tf.getBackend() !== 'webgpu' && !(await tf.setBackend('webgpu'))) {
    return {
      ok: false,
      reason: `the WebGPU backend was started earlier but setBackend('webgpu') no longer switches`,
    };
  }
  return result;
}

async function initOnce(tf: Tf, opts: { allowSoftware: boolean }): Promise<WebGpuInit> {
  const previousBackend = safeGetBackend(tf);
  // libEGL reads this when the GL route initialises EGL. Compute presents nothing, so the
  // surfaceless platform is right even where DISPLAY is set (an Xvfb in CI, a dead ssh -X);
  // setting it in-process before Dawn's first GL call is enough. A value the user set wins.
  if (process.platform === 'linux' && process.env.EGL_PLATFORM === undefined) {
    process.env.EGL_PLATFORM = 'surfaceless';
  }
  // Mesa reads it when Dawn loads it: without a valid one it prints "XDG_RUNTIME_DIR is invalid".
  ensureRuntimeDir();

  let dawn: DawnModule;
  try {
    dawn = (await import('webgpu')) as unknown as DawnModule;
  } catch (e) {
    return { ok: false, reason: `the 'webgpu' package (Dawn) could not be loaded: ${message(e)}` };
  }

  const misses: string[] = [];
  for (const route of routesFor(process.platform)) {
    let gpu: DawnGpu;
    let adapter: DawnAdapter | null;
    try {
      gpu = dawn.create(route.flags);
      adapter = await gpu.requestAdapter(route.adapterOptions);
    } catch (e) {
      misses.push(`${route.label}: ${message(e)}`);
      continue;
    }
    if (adapter === null) {
      const icds = route.name === 'native' && process.platform === 'linux' ? vulkanDrivers() : null;
      misses.push(`${route.label}: no adapter${icds === null ? '' : ` (Vulkan drivers installed: ${icds})`}`);
      continue;
    }
    const info = describeAdapter(adapter.info ?? (await adapter.requestAdapterInfo?.()));
    const software = isSoftwareAdapter(info);
    if (software && !opts.allowSoftware) {
      misses.push(`${route.label}: only a software adapter (${info.device || info.description})`);
      continue;
    }
    const started = await startBackend(tf, dawn, gpu, adapter, info);
    if (started !== null) {
      misses.push(`${route.label} on ${info.device || 'its adapter'}: ${started}`);
      await restoreBackend(tf, previousBackend);
      continue;
    }
    return {
      ok: true,
      detail: formatAdapterDetail(route.label, info, software),
      software,
      route: route.name,
      adapter: info,
    };
  }
  return { ok: false, reason: `no usable WebGPU adapter (${misses.join('; ')}).${installHint()}` };
}

/** Registers a WebGPUBackend on our own device and proves it computes; null on success, else why not. */
async function startBackend(
  tf: Tf,
  dawn: DawnModule,
  gpu: DawnGpu,
  adapter: DawnAdapter,
  info: WebGpuAdapterDescription,
): Promise<string | null> {
  const requiredLimits: Record<string, number> = {};
  for (const name of REQUIRED_LIMITS) {
    const value = adapter.limits[name];
    if (typeof value === 'number') requiredLimits[name] = value;
  }
  let device: DawnDevice;
  try {
    device = await adapter.requestDevice({ requiredLimits });
  } catch (e) {
    return `requestDevice failed: ${message(e)}`;
  }
  // tfjs pushes no error scopes: an invalid shader voids its whole command buffer and the reads
  // return zeros or stale data without an exception. Collect the device's errors so callers can tell.
  device.addEventListener('uncapturederror', (event) => recordDeviceError(event.error.message));
  void device.lost.then((lost) => recordDeviceError(`device lost (${lost.reason}): ${lost.message}`));

  // The backend reads GPUBufferUsage & co. as globals and checks navigator.gpu when constructed.
  for (const [name, value] of Object.entries(dawn.globals)) {
    if (!(name in globalThis))
      Object.defineProperty(globalThis, name, { value, configurable: true, writable: true });
  }
  installNavigatorGpu(gpu);

  let backendModule: typeof import('@tensorflow/tfjs-backend-webgpu');
  try {
    backendModule = await import('@tensorflow/tfjs-backend-webgpu');
  } catch (e) {
    return `@tensorflow/tfjs-backend-webgpu could not be loaded: ${message(e)}`;
  }
  const WebGPUBackend =
    backendModule.WebGPUBackend ??
    (backendModule as unknown as { default?: typeof backendModule }).default?.WebGPUBackend;
  if (WebGPUBackend === undefined) return '@tensorflow/tfjs-backend-webgpu exports no WebGPUBackend';

  // Importing the package registers a factory that asks navigator.gpu for an adapter with its own
  // options (powerPreference only, no featureLevel): replace it with one on the device found here.
  if (tf.findBackendFactory('webgpu') !== null) tf.removeBackend('webgpu');
  type BackendDevice = ConstructorParameters<typeof WebGPUBackend>[0];
  type BackendAdapterInfo = ConstructorParameters<typeof WebGPUBackend>[1];
  const adapterInfo = { ...info } as unknown as BackendAdapterInfo;
  tf.registerBackend(
    'webgpu',
    () => {
      const backend = new WebGPUBackend(device as unknown as BackendDevice, adapterInfo);
      installIntegerTransposeFix(backend);
      failReadsOnDeviceErrors(backend);
      return backend;
    },
    3,
  );

  let switched: boolean;
  try {
    switched = await tf.setBackend('webgpu');
  } catch (e) {
    return `setBackend('webgpu') threw: ${message(e)}`;
  }
  // setBackend can report false and keep the old backend; only getBackend() is the truth.
  if (!switched || tf.getBackend() !== 'webgpu') {
    return `setBackend('webgpu') did not switch (active backend: ${safeGetBackend(tf) ?? 'none'})`;
  }
  return verifyComputes(tf);
}

/**
 * Makes `await tensor.data()` reject when the device reported an error since the last read: the
 * values it would return come from a voided command buffer (zeros or stale data), and training on
 * them must stop with the reason rather than go on quietly wrong.
 */
function failReadsOnDeviceErrors(backend: object): void {
  const target = backend as { read(dataId: object): Promise<unknown> };
  const read = target.read.bind(target);
  target.read = async (dataId) => {
    const values = await read(dataId);
    const errors = takeWebGpuErrors();
    if (errors.length > 0) throw new Error(`WebGPU device error, results are invalid: ${errors.join('; ')}`);
    return values;
  };
}

/** A matmul + relu + reduction on the device, read back asynchronously (dataSync needs OffscreenCanvas). */
async function verifyComputes(tf: Tf): Promise<string | null> {
  const n = 64; // above the backend's CPU-forwarding threshold, so the GPU really runs it
  const result = tf.tidy(() => {
    const a = tf.fill([n, n], 0.5);
    const b = tf.fill([n, n], -1).concat(tf.fill([n, n], 2), 1);
    return tf.relu(tf.matMul(a, b)).sum();
  });
  try {
    const [value] = await result.data();
    const errors = takeWebGpuErrors();
    if (errors.length > 0) return `the device reported: ${errors.join('; ')}`;
    const expected = n * n * n; // the positive half: n rows × n cols × (0.5 · 2 · n)
    if (value === undefined || Math.abs(value - expected) > 1e-3 * expected) {
      return `verification computed ${value}, expected ${expected}`;
    }
    return null;
  } catch (e) {
    return `verification failed: ${message(e)}`;
  } finally {
    result.dispose();
  }
}

function installNavigatorGpu(gpu: DawnGpu): void {
  const existing = (globalThis as { navigator?: object }).navigator;
  // Node ≥ 21 has a navigator global (a getter): add gpu to it rather than replacing it.
  if (existing !== undefined && existing !== null) {
    Object.defineProperty(existing, 'gpu', { value: gpu, configurable: true, writable: true });
  } else {
    Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  }
}

async function restoreBackend(tf: Tf, previous: string | null): Promise<void> {
  if (tf.findBackendFactory('webgpu') !== null) tf.removeBackend('webgpu');
  if (previous !== null && previous !== 'webgpu' && safeGetBackend(tf) !== previous) {
    await tf.setBackend(previous).catch(() => false);
  }
}

function safeGetBackend(tf: Tf): string | null {
  // getBackend() initialises the best registered backend when none is active; it can throw.
  try {
    return tf.getBackend() ?? null;
  } catch {
    return null;
  }
}

const LIB_DIRS = [
  '/usr/lib/x86_64-linux-gnu',
  '/usr/lib/aarch64-linux-gnu',
  '/usr/lib64',
  '/usr/lib',
  '/lib/x86_64-linux-gnu',
];

function libraryPresent(name: string): boolean {
  const extra = (process.env.LD_LIBRARY_PATH ?? '').split(':').filter((d) => d.length > 0);
  return [...extra, ...LIB_DIRS].some((dir) => existsSync(join(dir, name)));
}

// Where the Vulkan loader finds drivers (ICD manifests); NVIDIA's is nvidia_icd.json.
const ICD_DIRS = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d'];

/** The installed Vulkan drivers, e.g. "lvp_icd.x86_64.json" (lavapipe) — the usual missing piece. */
function vulkanDrivers(): string {
  const names = ICD_DIRS.flatMap((dir) => {
    try {
      return readdirSync(dir).filter((n) => n.endsWith('.json'));
    } catch {
      return [];
    }
  });
  return names.length > 0 ? names.join(', ') : 'none';
}

/** What to install, judged by which loader libraries are on disk (Linux only). */
function installHint(): string {
  if (process.platform !== 'linux') return ' Update the GPU driver.';
  const hints: string[] = [];
  if (!libraryPresent('libvulkan.so.1')) {
    hints.push(
      'for a GPU: install libvulkan1 and the driver\'s Vulkan ICD (NVIDIA: the driver\'s Vulkan part; in containers NVIDIA_DRIVER_CAPABILITIES must include "graphics")',
    );
  }
  if (!libraryPresent('libEGL.so')) {
    hints.push(
      libraryPresent('libEGL.so.1')
        ? 'for the OpenGL ES route: Dawn loads the unversioned libEGL.so — install libegl-dev, or put a libEGL.so → libEGL.so.1 link in a folder on LD_LIBRARY_PATH'
        : 'for the OpenGL ES route: install libegl1 libegl-dev libegl-mesa0 libgles2 libgl1-mesa-dri',
    );
  }
  return hints.length > 0 ? ` To fix: ${hints.join('; ')}.` : '';
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
