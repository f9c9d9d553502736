/**
 * Pick and verify a TF.js backend. An explicit choice that cannot run is an error that says why
 * (never a silent fallback). `auto` starts every route that can run, measures each with a short
 * training probe, keeps the fastest, and explains the choice with the numbers. WebGPU is measured
 * in a child process (webgpu-probe.ts) so Dawn's native warnings stay out of the person's terminal;
 * this process loads Dawn only when WebGPU won.
 */
import type { BackendName } from '../protocol';
import { UserError } from '../errors';
import { measureTrainingSpeed } from './measure';
import { ROUTES, type RouteName, type RouteResult } from './routes';
import { loadTf, type Tf } from './tf';
import { probeWebGpuInChild } from './webgpu-probe';

/** Where `initBackend` says what it did that a person need not see (the engine's debug log). */
export type DebugLog = (message: string) => void;

export interface BackendAttempt {
  route: string;
  ok: boolean;
  reason: string;
  /** Measured by the auto probe (samples/s of a small CNN), when it ran. */
  samplesPerSecond?: number;
}

export interface BackendInfo {
  /** What `tf.getBackend()` says after init. */
  name: string;
  /** Human-readable: adapter/driver, SIMD/threads, software or hardware, and why it was chosen. */
  detail: string;
  software: boolean | null;
  attempts: BackendAttempt[];
}

const AUTO_ORDER: RouteName[] = ['tensorflow', 'webgpu', 'wasm', 'cpu'];

async function start(route: RouteName, tf: Tf): Promise<RouteResult> {
  try {
    return await ROUTES[route](tf);
  } catch (e) {
    return { ok: false, reason: e instanceof Error ? e.message : String(e) };
  }
}

/** Switch back to a route that was started and measured earlier (same tf module, registered backend). */
async function reselect(route: RouteName, chosen: Started): Promise<void> {
  const name = route === 'tensorflow' ? 'tensorflow' : route;
  if (chosen.tf.getBackend() !== name && !(await chosen.tf.setBackend(name))) {
    throw new UserError(`the ${name} backend was measured but could not be selected again`);
  }
}

type Started = Extract<RouteResult, { ok: true }>;

/** A measured route; WebGPU's is started in this process only once it has won (`result` null until then). */
interface Measured {
  route: RouteName;
  result: Started | null;
  speed: number;
}

/** Measures one route: in this process, or — WebGPU — in a child whose output goes to `log`. */
async function measureRoute(
  route: RouteName,
  tf: Tf,
  log: DebugLog,
): Promise<{ attempt: BackendAttempt; measured: Measured | null }> {
  if (route === 'webgpu') {
    const probe = await probeWebGpuInChild();
    const output = probe.output.trim();
    log(
      `webgpu measured in a child process (${Math.round(probe.ms)} ms)${output ? `; its output:\n${output}` : '; no output'}`,
    );
    if (!probe.result.ok)
      return { attempt: { route, ok: false, reason: probe.result.reason }, measured: null };
    const speed = probe.result.samplesPerSecond;
    return {
      attempt: { route, ok: true, reason: 'verified and measured', samplesPerSecond: Math.round(speed) },
      measured: { route, result: null, speed },
    };
  }
  const result = await start(route, tf);
  if (!result.ok) return { attempt: { route, ok: false, reason: result.reason }, measured: null };
  try {
    const speed = await measureTrainingSpeed(result.tf);
    return {
      attempt: { route, ok: true, reason: 'verified and measured', samplesPerSecond: Math.round(speed) },
      measured: { route, result, speed },
    };
  } catch (e) {
    const reason = `started but failed the training probe: ${e instanceof Error ? e.message : String(e)}`;
    return { attempt: { route, ok: false, reason }, measured: null };
  }
}

/**
 * Selects the fastest measured route in this process. WebGPU, measured in a child, is started here
 * only now; if it does not start, the next fastest is taken, and its attempt (removed from
 * `measured`) says why.
 */
async function startFastest(
  measured: Measured[],
  tf: Tf,
  attempts: BackendAttempt[],
): Promise<{ route: RouteName; result: Started } | null> {
  for (const m of [...measured].sort((a, b) => b.speed - a.speed)) {
    let result = m.result;
    if (result === null) {
      const r = await start(m.route, tf);
      if (!r.ok) {
        const attempt = attempts.find((x) => x.route === m.route);
        if (attempt)
          Object.assign(attempt, { ok: false, reason: `measured, but did not start again: ${r.reason}` });
        measured.splice(measured.indexOf(m), 1);
        continue;
      }
      result = r;
    }
    await reselect(m.route, result);
    return { route: m.route, result };
  }
  return null;
}

export async function initBackend(
  preference: BackendName,
  log: DebugLog = () => undefined,
): Promise<{ tf: Tf; info: BackendInfo }> {
  const tf = await loadTf();
  if (preference !== 'auto') {
    const result = await start(preference, tf);
    if (!result.ok) {
      throw new UserError(
        `the ${preference} backend cannot run here: ${result.reason}`,
        null,
        null,
        'choose --backend auto to use the fastest one that can',
      );
    }
    return {
      tf: result.tf,
      info: {
        name: result.tf.getBackend(),
        detail: result.detail,
        software: result.software,
        attempts: [{ route: preference, ok: true, reason: 'verified' }],
      },
    };
  }
  const t0 = performance.now();
  const attempts: BackendAttempt[] = [];
  const started: Measured[] = [];
  for (const route of AUTO_ORDER) {
    // The plain-JS cpu backend (≈150× slower than wasm here) is the last resort, not a contender:
    // measuring it would cost ~30 s.
    if (route === 'cpu' && started.length > 0) {
      attempts.push({ route, ok: false, reason: 'not measured: the fallback when no faster route runs' });
      continue;
    }
    const { attempt, measured } = await measureRoute(route, tf, log);
    attempts.push(attempt);
    if (measured) started.push(measured);
  }
  const best = await startFastest(started, tf, attempts);
  log(`auto: backend chosen in ${Math.round(performance.now() - t0)} ms`);
  if (best === null) {
    throw new UserError(
      `no TF.js backend could run (${attempts.map((a) => `${a.route}: ${a.reason}`).join('; ')})`,
      null,
      null,
      'try --backend cpu',
    );
  }
  const ranking = started
    .sort((a, b) => b.speed - a.speed)
    .map((s) => `${s.route} ${Math.round(s.speed)}`)
    .join(' > ');
  const unavailable = attempts.filter((a) => !a.ok && a.route !== 'cpu').map((a) => a.route);
  const why = `auto: fastest measured (samples/s of a reference-sized CNN: ${ranking})${unavailable.length ? `; not available: ${unavailable.join(', ')}` : ''}`;
  return {
    tf: best.result.tf,
    info: {
      name: best.result.tf.getBackend(),
      detail: `${best.result.detail}; ${why}`,
      software: best.result.software,
      attempts,
    },
  };
}
