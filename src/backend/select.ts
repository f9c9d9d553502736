/**
 * Pick and verify a TF.js backend. `setBackend` can return false and silently keep the previous
 * backend, so every route is verified by `tf.getBackend()` and a real computation read back; the
 * report always names the backend that actually ran, and why others were not used.
 */
import type { BackendName } from '../protocol';
import { UserError } from '../errors';
import { loadTf, type Tf } from './tf';
import { installWasmConvGradients } from './wasm-conv-grads';

export interface BackendAttempt {
  route: string;
  ok: boolean;
  reason: string;
}

export interface BackendInfo {
  /** What `tf.getBackend()` says after init. */
  name: string;
  /** Human-readable: adapter/driver, SIMD/threads, software or hardware. */
  detail: string;
  software: boolean | null;
  attempts: BackendAttempt[];
}

type Route = (tf: Tf) => Promise<{ ok: true; detail: string; software: boolean | null } | { ok: false; reason: string }>;

async function verify(tf: Tf, expected: string): Promise<string | null> {
  if (tf.getBackend() !== expected) return `setBackend kept '${tf.getBackend()}'`;
  const probe = tf.tensor1d([1, 2, 3]).square().sum();
  const value = (await probe.data())[0];
  probe.dispose();
  return value === 14 ? null : `verification computed ${value}, expected 14`;
}

const wasmRoute: Route = async (tf) => {
  await import('@tensorflow/tfjs-backend-wasm');
  const ok = await tf.setBackend('wasm').catch(() => false);
  if (!ok) return { ok: false, reason: 'the wasm backend failed to initialise' };
  await tf.ready();
  const bad = await verify(tf, 'wasm');
  if (bad) return { ok: false, reason: bad };
  installWasmConvGradients(tf);
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
  return { ok: true, detail: `wasm (${simd ? 'SIMD' : 'no SIMD'}, ${threads ? 'threads' : 'one thread'})`, software: true };
};

const cpuRoute: Route = async (tf) => {
  const ok = await tf.setBackend('cpu');
  if (!ok) return { ok: false, reason: 'the cpu backend failed to initialise' };
  const bad = await verify(tf, 'cpu');
  return bad ? { ok: false, reason: bad } : { ok: true, detail: 'cpu (plain JavaScript)', software: true };
};

/** Extra routes registered by optional modules (webgpu, tfjs-node): name → route. */
const extraRoutes = new Map<string, Route>();

export function registerBackendRoute(name: 'webgpu' | 'tensorflow', route: Route): void {
  extraRoutes.set(name, route);
}

function routesFor(preference: BackendName): [string, Route][] {
  const named = (n: string): [string, Route][] => {
    if (n === 'wasm') return [['wasm', wasmRoute]];
    if (n === 'cpu') return [['cpu', cpuRoute]];
    const r = extraRoutes.get(n);
    return r ? [[n, r]] : [];
  };
  if (preference !== 'auto') return named(preference);
  return [...named('tensorflow'), ...named('webgpu'), ...named('wasm'), ...named('cpu')];
}

/**
 * Initialise the preferred backend. An explicit preference that cannot run is an error that says
 * why (never a silent fallback); `auto` walks the chain and records every attempt.
 */
export async function initBackend(preference: BackendName): Promise<{ tf: Tf; info: BackendInfo }> {
  const tf = await loadTf();
  const attempts: BackendAttempt[] = [];
  const routes = routesFor(preference);
  if (routes.length === 0) {
    throw new UserError(
      `backend '${preference}' is not available in this build`,
      null,
      null,
      'use --backend auto, wasm or cpu',
    );
  }
  for (const [route, init] of routes) {
    try {
      const result = await init(tf);
      if (result.ok) {
        attempts.push({ route, ok: true, reason: 'verified' });
        return { tf, info: { name: tf.getBackend(), detail: result.detail, software: result.software, attempts } };
      }
      attempts.push({ route, ok: false, reason: result.reason });
    } catch (e) {
      attempts.push({ route, ok: false, reason: e instanceof Error ? e.message : String(e) });
    }
  }
  const why = attempts.map((a) => `${a.route}: ${a.reason}`).join('; ');
  throw new UserError(`no TF.js backend could run (${why})`, null, null, 'try --backend cpu');
}
