/**
 * Pick and verify a TF.js backend. An explicit choice that cannot run is an error that says why
 * (never a silent fallback). `auto` starts every route that can run, measures each with a short
 * training probe, keeps the fastest, and explains the choice with the numbers.
 */
import type { BackendName } from '../protocol';
import { UserError } from '../errors';
import { measureTrainingSpeed } from './measure';
import { ROUTES, type RouteName, type RouteResult } from './routes';
import { loadTf, type Tf } from './tf';

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
async function reselect(route: RouteName, chosen: Extract<RouteResult, { ok: true }>): Promise<void> {
  const name = route === 'tensorflow' ? 'tensorflow' : route;
  if (chosen.tf.getBackend() !== name && !(await chosen.tf.setBackend(name))) {
    throw new UserError(`the ${name} backend was measured but could not be selected again`);
  }
}

export async function initBackend(preference: BackendName): Promise<{ tf: Tf; info: BackendInfo }> {
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
  const attempts: BackendAttempt[] = [];
  const started: { route: RouteName; result: Extract<RouteResult, { ok: true }>; speed: number }[] = [];
  for (const route of AUTO_ORDER) {
    // The plain-JS cpu backend (≈150× slower than wasm here) is the last resort, not a contender:
    // measuring it would cost ~30 s.
    if (route === 'cpu' && started.length > 0) {
      attempts.push({ route, ok: false, reason: 'not measured: the fallback when no faster route runs' });
      continue;
    }
    const result = await start(route, tf);
    if (!result.ok) {
      attempts.push({ route, ok: false, reason: result.reason });
      continue;
    }
    let speed: number;
    try {
      speed = await measureTrainingSpeed(result.tf);
    } catch (e) {
      attempts.push({
        route,
        ok: false,
        reason: `started but failed the training probe: ${e instanceof Error ? e.message : String(e)}`,
      });
      continue;
    }
    attempts.push({ route, ok: true, reason: 'verified and measured', samplesPerSecond: Math.round(speed) });
    started.push({ route, result, speed });
  }
  if (started.length === 0) {
    throw new UserError(
      `no TF.js backend could run (${attempts.map((a) => `${a.route}: ${a.reason}`).join('; ')})`,
      null,
      null,
      'try --backend cpu',
    );
  }
  const best = started.reduce((a, b) => (b.speed > a.speed ? b : a));
  await reselect(best.route, best.result);
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
