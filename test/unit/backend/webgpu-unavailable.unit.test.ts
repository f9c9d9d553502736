// With no adapter on any route, initWebGpu must say why and leave the active backend as it was.
// Both routes are made to fail for real: Dawn's GL route is pointed at an X11 display that does not
// exist; the Vulkan route fails by itself on machines without a Vulkan GPU (where it succeeds, the
// test has nothing to check and skips).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadTf } from '../../../src/backend/tf';
import { initWebGpu } from '../../../src/backend/webgpu';

test('no usable adapter: a reason, no exception, previous backend kept', async (t) => {
  process.env.EGL_PLATFORM = 'x11';
  delete process.env.DISPLAY; // so the X11 platform has nothing to connect to
  delete process.env.WAYLAND_DISPLAY;
  const tf = await loadTf();
  assert.equal(await tf.setBackend('cpu'), true);
  const r = await initWebGpu(tf, { allowSoftware: true });
  if (r.ok) return t.skip(`this machine has an adapter even so: ${r.detail}`);
  assert.match(r.reason, /no usable WebGPU adapter/);
  if (process.platform === 'linux') {
    assert.match(r.reason, /Vulkan: no adapter/);
    assert.match(r.reason, /OpenGL ES \(compatibility\): no adapter/);
  }
  assert.equal(tf.getBackend(), 'cpu');
  assert.equal(tf.findBackendFactory('webgpu'), null, 'no half-registered webgpu backend is left behind');
  const sum = tf.tensor1d([1, 2, 3]).sum();
  assert.equal((await sum.data())[0], 6);
});
