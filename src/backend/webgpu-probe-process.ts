/**
 * The WebGPU route's probe, in a process of its own (dist/webgpu-probe.js, started by
 * webgpu-probe.ts): Dawn and the GPU drivers under it (Mesa, Vulkan loaders) write warnings straight
 * to the process's stderr, which no JavaScript can silence. Here that stderr is the parent's to keep
 * for --debug and the engine log; the person sees nothing unless WebGPU wins and runs for real.
 */
import { measureTrainingSpeed } from './measure';
import { loadTf } from './tf';
import { initWebGpu } from './webgpu';
import type { WebGpuProbeResult } from './webgpu-probe';
import { watchParent } from '../parent-watch';

function send(result: WebGpuProbeResult): void {
  process.send?.(result, () => process.exit(0));
}

async function main(): Promise<void> {
  const tf = await loadTf();
  const started = await initWebGpu(tf, { allowSoftware: true });
  if (!started.ok) return send({ ok: false, reason: started.reason });
  try {
    const samplesPerSecond = await measureTrainingSpeed(tf);
    send({ ok: true, detail: started.detail, software: started.software, samplesPerSecond });
  } catch (e) {
    send({
      ok: false,
      reason: `started but failed the training probe: ${e instanceof Error ? e.message : String(e)}`,
    });
  }
}

// The parent may give up on a hung driver and go: then this process goes too.
watchParent(() => process.exit(1));
main().catch((e: unknown) => send({ ok: false, reason: e instanceof Error ? e.message : String(e) }));
