/**
 * The backend routes: how to start each one and verify that it really runs. A route answers with
 * the TF.js module to use — tfjs-node brings its own copy of TF.js (it shares the global engine and
 * kernel registry with ours, but the engine runs through the module of the route it chose).
 */
import { delimiter } from 'node:path';
import type { Tf } from './tf';
import { quietTensorflowLogs } from './native-logs';
import { loadTfjsNode, tensorflowBackendOnGpu } from './tfjs-node';
import { initWebGpu } from './webgpu';
import { installWasmConvGradients } from './wasm-conv-grads';
import { installWasmSegmentSum } from './wasm-segment-sum';

export type RouteName = 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';

export type RouteResult =
  { ok: true; tf: Tf; detail: string; software: boolean | null } | { ok: false; reason: string };

export type Route = (tf: Tf) => Promise<RouteResult>;

/** Where an optional tfjs-node(-gpu) install may live (the extension passes its global storage). */
export const TFJS_NODE_PATH_ENV = 'ACTIVATION_LENS_TFJS_NODE_PATH';

/** setBackend can return false and keep the old backend: check the name and a real computation. */
export async function verify(tf: Tf, expected: string): Promise<string | null> {
  if (tf.getBackend() !== expected) return `setBackend kept '${tf.getBackend()}'`;
  const probe = tf.tidy(() => tf.tensor1d([1, 2, 3]).square().sum());
  const value = (await probe.data())[0];
  probe.dispose();
  return value === 14 ? null : `verification computed ${value}, expected 14`;
}

const wasm: Route = async (tf) => {
  await import('@tensorflow/tfjs-backend-wasm');
  const ok = await tf.setBackend('wasm').catch(() => false);
  if (!ok) return { ok: false, reason: 'the wasm backend failed to initialise' };
  const bad = await verify(tf, 'wasm');
  if (bad) return { ok: false, reason: bad };
  installWasmConvGradients(tf);
  installWasmSegmentSum(tf);
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
  return {
    ok: true,
    tf,
    detail: `wasm (${simd ? 'SIMD' : 'no SIMD'}, ${threads ? 'threads' : 'one thread'})`,
    software: true,
  };
};

const cpu: Route = async (tf) => {
  if (!(await tf.setBackend('cpu'))) return { ok: false, reason: 'the cpu backend failed to initialise' };
  const bad = await verify(tf, 'cpu');
  return bad
    ? { ok: false, reason: bad }
    : { ok: true, tf, detail: 'cpu (plain JavaScript)', software: true };
};

const webgpu: Route = async (tf) => {
  const r = await initWebGpu(tf, { allowSoftware: true });
  return r.ok ? { ok: true, tf, detail: r.detail, software: r.software } : { ok: false, reason: r.reason };
};

/** tfjs-node-gpu (verified to be on a GPU), else tfjs-node (CPU, libtensorflow). */
const tensorflow: Route = async () => {
  const paths = (process.env[TFJS_NODE_PATH_ENV] ?? '').split(delimiter).filter(Boolean);
  const reasons: string[] = [];
  // libtensorflow reads it once, when it loads: its oneDNN and CPU-feature notices go to stderr.
  quietTensorflowLogs();
  for (const kind of ['gpu', 'cpu'] as const) {
    const loaded = loadTfjsNode(kind, paths);
    if (!loaded.ok) {
      reasons.push(loaded.reason);
      continue;
    }
    const tfn = loaded.module as Tf;
    if (!(await tfn.setBackend('tensorflow').catch(() => false))) {
      reasons.push(`${loaded.path}: setBackend('tensorflow') failed`);
      continue;
    }
    const bad = await verify(tfn, 'tensorflow');
    if (bad) {
      reasons.push(`${loaded.path}: ${bad}`);
      continue;
    }
    if (kind === 'gpu' && !tensorflowBackendOnGpu(tfn.backend())) {
      // tfjs-node-gpu without a usable CUDA setup silently computes on the CPU: say so.
      reasons.push(
        `tfjs-node-gpu at ${loaded.path} loaded, but TensorFlow found no CUDA GPU (check the NVIDIA driver, CUDA 11.2 and cuDNN 8.1)`,
      );
      continue;
    }
    tfn.env().set('PROD', true);
    return {
      ok: true,
      tf: tfn,
      detail: `tensorflow (libtensorflow, ${kind === 'gpu' ? 'CUDA GPU via tfjs-node-gpu' : 'CPU via tfjs-node'}; ${loaded.path})`,
      software: kind !== 'gpu',
    };
  }
  return { ok: false, reason: reasons.join('; ') };
};

export const ROUTES: Record<RouteName, Route> = { tensorflow, webgpu, wasm, cpu };
