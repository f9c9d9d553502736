#!/usr/bin/env node
// Which WebGPU (Dawn) adapters does this machine offer, and does TF.js compute and train on them?
// Self-contained (no build needed), so it can be run on any machine with `npm ci` done:
//   node scripts/check-webgpu.mjs            adapters per route + a verified TF.js computation
//   node scripts/check-webgpu.mjs --train 5 [--batch 64]  also 5 training steps of a CNN, with samples/s
// Dawn prints its own warnings on stderr (e.g. why Vulkan was rejected); they are part of the answer.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
const trainIndex = args.indexOf('--train');
const trainSteps = trainIndex >= 0 ? Number(args[trainIndex + 1] ?? 5) : 0;
const batchIndex = args.indexOf('--batch');
const batch = batchIndex >= 0 ? Number(args[batchIndex + 1]) : 64;

if (process.platform === 'linux' && process.env.EGL_PLATFORM === undefined) {
  // libEGL picks its platform when Dawn first initialises EGL; compute needs no surface.
  process.env.EGL_PLATFORM = 'surfaceless';
}

const SOFTWARE = /llvmpipe|lavapipe|softpipe|swiftshader|software|basic render/i;
const ROUTES = [
  {
    name: 'default backend (Vulkan / D3D12 / Metal)',
    flags: [],
    options: { powerPreference: 'high-performance' },
  },
  ...(process.platform === 'linux'
    ? [
        {
          name: 'OpenGL ES, compatibility mode',
          flags: ['backend=opengles'],
          options: { featureLevel: 'compatibility' },
        },
      ]
    : []),
];

function describe(info) {
  const parts = [info.vendor, info.architecture, info.device, info.description].filter((s) => s);
  const software = info.isFallbackAdapter || SOFTWARE.test(parts.join(' '));
  return { text: parts.join(' | ') || '(no adapter info)', software };
}

console.log(
  `node ${process.version} on ${process.platform}-${process.arch}; EGL_PLATFORM=${process.env.EGL_PLATFORM ?? '(unset)'}`,
);
let dawn;
try {
  dawn = await import('webgpu');
} catch (e) {
  console.log(`FAIL: the 'webgpu' package could not be loaded: ${e.message}`);
  process.exit(1);
}

let chosen = null;
for (const route of ROUTES) {
  let adapter = null;
  let gpu = null;
  try {
    gpu = dawn.create(route.flags);
    adapter = await gpu.requestAdapter(route.options);
  } catch (e) {
    console.log(`- ${route.name}: error ${e.message}`);
    continue;
  }
  if (!adapter) {
    console.log(`- ${route.name}: no adapter`);
    continue;
  }
  const { text, software } = describe(adapter.info);
  const l = adapter.limits;
  console.log(`- ${route.name}: ${text} [${software ? 'SOFTWARE' : 'hardware'}]`);
  console.log(
    `    limits: storageBuffers/stage ${l.maxStorageBuffersPerShaderStage}, workgroup storage ${l.maxComputeWorkgroupStorageSize}, ` +
      `storage binding ${l.maxStorageBufferBindingSize}, invocations/workgroup ${l.maxComputeInvocationsPerWorkgroup}`,
  );
  if (chosen === null || (chosen.software && !software)) chosen = { route, gpu, adapter, software, text };
}
if (chosen === null) {
  console.log(
    "RESULT: no WebGPU adapter. Linux: install libvulkan1 + the GPU driver's Vulkan ICD; for the software route",
  );
  console.log(
    '        libegl1 libegl-dev libegl-mesa0 libgles2 libgl1-mesa-dri (Dawn loads the unversioned libEGL.so).',
  );
  process.exit(2);
}

// TF.js on the chosen adapter, with our own device (the package's factory would not ask for compatibility mode).
const tf = require('@tensorflow/tfjs');
const limitNames = [
  'maxComputeWorkgroupStorageSize',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupSizeX',
  'maxComputeInvocationsPerWorkgroup',
  'maxStorageBuffersPerShaderStage',
];
const requiredLimits = Object.fromEntries(limitNames.map((n) => [n, chosen.adapter.limits[n]]));
const device = await chosen.adapter.requestDevice({ requiredLimits });
const deviceErrors = [];
device.addEventListener('uncapturederror', (ev) => deviceErrors.push(ev.error.message.split('\n')[0]));
for (const [name, value] of Object.entries(dawn.globals)) if (!(name in globalThis)) globalThis[name] = value;
if (globalThis.navigator)
  Object.defineProperty(globalThis.navigator, 'gpu', { value: chosen.gpu, configurable: true });
else globalThis.navigator = { gpu: chosen.gpu };
const { WebGPUBackend } = require('@tensorflow/tfjs-backend-webgpu');
if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
tf.registerBackend('webgpu', () => new WebGPUBackend(device, chosen.adapter.info), 3);
const switched = await tf.setBackend('webgpu');
if (!switched || tf.getBackend() !== 'webgpu') {
  console.log(`FAIL: TF.js did not switch to webgpu (active: ${tf.getBackend()})`);
  process.exit(3);
}
const product = tf.matMul(tf.fill([64, 64], 0.5), tf.fill([64, 64], 2));
const value = (await product.sum().data())[0];
const expected = 64 * 64 * 64;
console.log(
  `TF.js webgpu on "${chosen.route.name}": matmul check ${value === expected ? 'OK' : `WRONG (${value} != ${expected})`}`,
);
if (deviceErrors.length) console.log(`device errors: ${deviceErrors.join('; ')}`);

if (trainSteps > 0) {
  // Two conv blocks and two dense layers, the shape of the extension's reference CNN.
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, activation: 'relu' }));
  model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  model.add(tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu' }));
  model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: 256, activation: 'relu' }));
  model.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
  model.compile({ optimizer: tf.train.adam(0.001), loss: 'categoricalCrossentropy' });
  const x = tf.randomUniform([batch, 28, 28, 1]);
  const y = tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32'), 10);
  const times = [];
  for (let step = 0; step < trainSteps; step++) {
    const t0 = performance.now();
    const loss = await model.trainOnBatch(x, y); // resolves after the loss is read back: the step is done
    times.push(performance.now() - t0);
    console.log(`  step ${step}: loss ${Number(loss).toFixed(4)}, ${times.at(-1).toFixed(0)} ms`);
  }
  const steady = times.length > 1 ? times.slice(1) : times; // step 0 compiles the shaders
  const mean = steady.reduce((s, t) => s + t, 0) / steady.length;
  console.log(
    `TRAIN: ${((batch * 1000) / mean).toFixed(1)} samples/s (batch ${batch}, mean of ${steady.length} steps after the first; first step ${times[0].toFixed(0)} ms)`,
  );
  if (deviceErrors.length) console.log(`device errors: ${deviceErrors.join('; ')}`);
}
console.log(`RESULT: webgpu works on ${chosen.text} [${chosen.software ? 'software' : 'hardware'}]`);
process.exit(0);
