// The optional tfjs-node loaders, on real failures: the packages are not installed on these
// machines, and the native-library failures come from real shared objects built with the system C
// compiler (skipped with a message where there is none) and real error texts from tfjs issues.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { classifyLoadError, loadTfjsNode, tensorflowBackendOnGpu } from '../../../src/backend/tfjs-node';

function installedHere(name: string): boolean {
  try {
    createRequire(__filename).resolve(name);
    return true;
  } catch {
    return false;
  }
}

function hasCompiler(): boolean {
  try {
    execFileSync('cc', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

let scratch: string;
before(() => {
  scratch = mkdtempSync(join(tmpdir(), 'al-tfjs-node-'));
  process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));
});

/** An install prefix holding a package named like tfjs-node whose index.js runs `body`. */
function fakeInstall(prefix: string, name: string, body: string): string {
  const dir = join(scratch, prefix, 'node_modules', name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '4.22.0', main: 'index.js' }));
  writeFileSync(join(dir, 'index.js'), body);
  return join(scratch, prefix);
}

/**
 * A native addon that needs `soname` (made with a stub of that library, which is then deleted) so
 * that loading it fails in the system's dynamic loader exactly as a missing libtensorflow or CUDA
 * library does.
 */
function addonNeeding(dir: string, soname: string): void {
  const stubDir = join(dir, 'stub');
  mkdirSync(stubDir, { recursive: true });
  const stub = join(stubDir, soname);
  writeFileSync(join(stubDir, 'stub.c'), 'int tf_stub_value = 2;\n');
  execFileSync('cc', ['-shared', '-fPIC', `-Wl,-soname,${soname}`, '-o', stub, join(stubDir, 'stub.c')]);
  writeFileSync(join(dir, 'binding.c'), 'int tf_probe(void) { return 1; }\n');
  // --no-as-needed: keep the dependency although the addon uses nothing from it.
  execFileSync('cc', [
    '-shared',
    '-fPIC',
    '-o',
    join(dir, 'binding.node'),
    join(dir, 'binding.c'),
    '-Wl,--no-as-needed',
    stub,
  ]);
  rmSync(stubDir, { recursive: true });
}

describe('loadTfjsNode', () => {
  test('not installed: says so, and how to install', (t) => {
    if (installedHere('@tensorflow/tfjs-node-gpu'))
      return t.skip('@tensorflow/tfjs-node-gpu is installed here');
    const r = loadTfjsNode('gpu', [join(scratch, 'nowhere')]);
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.equal(r.missing, 'package');
    assert.match(r.reason, /@tensorflow\/tfjs-node-gpu is not installed/);
    assert.match(r.reason, /Install TensorFlow GPU Backend/);
    assert.match(r.reason, /npm install @tensorflow\/tfjs-node-gpu@4\.22\.0/);
    assert.match(r.reason, /CUDA 11\.2/);
    assert.ok(r.reason.includes(join(scratch, 'nowhere')), 'names the folders searched');
  });

  test('cpu package not installed either', (t) => {
    if (installedHere('@tensorflow/tfjs-node')) return t.skip('@tensorflow/tfjs-node is installed here');
    const r = loadTfjsNode('cpu', []);
    assert.ok(!r.ok && r.missing === 'package' && !/CUDA/.test(r.reason), !r.ok ? r.reason : 'loaded');
  });

  test('found through a search path and loaded', () => {
    const prefix = fakeInstall('good', '@tensorflow/tfjs-node', "exports.version_tfjs_node = '4.22.0';\n");
    const r = loadTfjsNode('cpu', [join(scratch, 'elsewhere'), prefix]);
    assert.equal(r.ok, true, r.ok ? '' : r.reason);
    if (!r.ok) return;
    assert.equal(r.path, join(prefix, 'node_modules', '@tensorflow', 'tfjs-node'));
    assert.deepEqual(r.module, { version_tfjs_node: '4.22.0' });
    // The package folder itself and the node_modules folder are accepted too.
    assert.equal(loadTfjsNode('cpu', [r.path]).ok, true);
    assert.equal(loadTfjsNode('cpu', [join(prefix, 'node_modules')]).ok, true);
  });

  test('a missing npm dependency of the package', () => {
    const prefix = fakeInstall('nodep', '@tensorflow/tfjs-node-gpu', "require('@mapbox/node-pre-gyp');\n");
    const r = loadTfjsNode('gpu', [prefix]);
    assert.ok(!r.ok);
    assert.equal(r.missing, 'dependency');
    assert.match(r.reason, /@mapbox\/node-pre-gyp is not installed/);
  });

  test('libtensorflow missing: the real dynamic-loader error', (t) => {
    if (!hasCompiler() || process.platform !== 'linux') return t.skip('needs a C compiler (cc) on Linux');
    const prefix = fakeInstall('nolib', '@tensorflow/tfjs-node-gpu', "require('./binding.node');\n");
    addonNeeding(join(prefix, 'node_modules', '@tensorflow', 'tfjs-node-gpu'), 'libtensorflow.so.2');
    const r = loadTfjsNode('gpu', [prefix]);
    assert.ok(!r.ok);
    assert.equal(r.missing, 'libtensorflow', r.reason);
    assert.match(r.reason, /libtensorflow\.so\.2 is not found/);
  });

  test('a CUDA library missing: names the library and what supplies it', (t) => {
    if (!hasCompiler() || process.platform !== 'linux') return t.skip('needs a C compiler (cc) on Linux');
    const prefix = fakeInstall('nocuda', '@tensorflow/tfjs-node-gpu', "require('./binding.node');\n");
    addonNeeding(join(prefix, 'node_modules', '@tensorflow', 'tfjs-node-gpu'), 'libcudnn.so.8');
    const r = loadTfjsNode('gpu', [prefix]);
    assert.ok(!r.ok);
    assert.equal(r.missing, 'cuda', r.reason);
    assert.match(r.reason, /libcudnn\.so\.8 is not found: install cuDNN 8\.1/);
  });

  test('libtensorflow of another version: an undefined symbol', (t) => {
    if (!hasCompiler() || process.platform !== 'linux') return t.skip('needs a C compiler (cc) on Linux');
    const prefix = fakeInstall('badsym', '@tensorflow/tfjs-node', "require('./binding.node');\n");
    const dir = join(prefix, 'node_modules', '@tensorflow', 'tfjs-node');
    // Data references are bound when the library loads, so the missing symbol fails the require.
    writeFileSync(
      join(dir, 'binding.c'),
      'extern int TF_NewSessionOptionsV9;\nint *tf_probe(void) { return &TF_NewSessionOptionsV9; }\n',
    );
    execFileSync('cc', ['-shared', '-fPIC', '-o', join(dir, 'binding.node'), join(dir, 'binding.c')]);
    const r = loadTfjsNode('cpu', [prefix]);
    assert.ok(!r.ok);
    assert.equal(r.missing, 'symbol', r.reason);
    assert.match(r.reason, /TF_NewSessionOptionsV9/);
  });

  test('an addon that is not a shared object', (t) => {
    if (process.platform !== 'linux') return t.skip("the loader text checked here is glibc's");
    const prefix = fakeInstall('notelf', '@tensorflow/tfjs-node', "require('./binding.node');\n");
    const addon = join(prefix, 'node_modules', '@tensorflow', 'tfjs-node', 'binding.node');
    // Long enough for an ELF header: the loader reads it and rejects it.
    writeFileSync(addon, 'MZ'.padEnd(256, '\u0000'));
    const r = loadTfjsNode('cpu', [prefix]);
    assert.ok(!r.ok);
    assert.equal(r.missing, 'platform', r.reason);
    assert.match(r.reason, /another OS or CPU architecture/);
    assert.match(r.reason, /invalid ELF header/);
  });
});

describe('classifyLoadError on real error texts (tfjs issues, Node and the system loaders)', () => {
  const cases: [string, 'gpu' | 'cpu', string, RegExp][] = [
    [
      "The Node.js native addon module (tfjs_binding.node) can not be found at path: /app/node_modules/@tensorflow/tfjs-node/lib/napi-v8/tfjs_binding.node. \nPlease run command 'npm rebuild @tensorflow/tfjs-node --build-addon-from-source' to rebuild the native addon module.",
      'cpu',
      'addon',
      /npm rebuild @tensorflow\/tfjs-node --build-addon-from-source/,
    ],
    [
      "Cannot find module 'c:\\Users\\me\\node_modules\\@tensorflow\\tfjs-node-gpu\\lib\\napi-v4\\tfjs_binding.node'",
      'gpu',
      'addon',
      /tfjs-node-gpu --build-addon-from-source/,
    ],
    [
      'libcublas.so.9.0: cannot open shared object file: No such file or directory',
      'gpu',
      'cuda',
      /CUDA 11\.2 runtime/,
    ],
    [
      "Could not load dynamic library 'libcudart.so.11.0'; dlerror: libcudart.so.11.0: cannot open shared object file: No such file or directory",
      'gpu',
      'cuda',
      /libcudart\.so\.11\.0 is not found/,
    ],
    [
      "Could not load dynamic library 'libcusolver.so.11'; dlerror: libnvJitLink.so.12: cannot open shared object file: No such file or directory",
      'gpu',
      'cuda',
      /libnvJitLink\.so\.12/,
    ],
    [
      'libcuda.so.1: cannot open shared object file: No such file or directory',
      'gpu',
      'cuda',
      /NVIDIA driver/,
    ],
    [
      'The specified module could not be found.\r\n\\\\?\\D:\\nodejs\\node_modules\\@tensorflow\\tfjs-node-gpu\\lib\\napi-v5\\tfjs_binding.node',
      'gpu',
      'cuda',
      /cudart64_110\.dll/,
    ],
    [
      'dlopen(/Users/me/node_modules/@tensorflow/tfjs-node/lib/napi-v8/tfjs_binding.node, 0x0001): Library not loaded: @rpath/libtensorflow.2.dylib',
      'cpu',
      'libtensorflow',
      /libtensorflow\.2\.dylib is not found/,
    ],
    [
      "The module '/app/node_modules/@tensorflow/tfjs-node/lib/napi-v8/tfjs_binding.node'\nwas compiled against a different Node.js version using\nNODE_MODULE_VERSION 115. This version of Node.js requires\nNODE_MODULE_VERSION 123.",
      'cpu',
      'abi',
      /real Node\.js/,
    ],
    [
      "/lib/x86_64-linux-gnu/libstdc++.so.6: version `GLIBCXX_3.4.29' not found",
      'cpu',
      'platform',
      /GLIBCXX_3\.4\.29/,
    ],
    [
      "Cannot find module '@tensorflow/tfjs-core'",
      'gpu',
      'dependency',
      /@tensorflow\/tfjs-core is not installed/,
    ],
    [
      '/app/node_modules/@tensorflow/tfjs-node/lib/napi-v8/tfjs_binding.node: file too short',
      'cpu',
      'addon',
      /truncated download/,
    ],
  ];
  for (const [text, kind, missing, reason] of cases) {
    test(`${missing}: ${text.split('\n')[0]!.slice(0, 70)}`, () => {
      const r = classifyLoadError(kind, text);
      assert.equal(r.missing, missing, r.reason);
      assert.match(r.reason, reason);
    });
  }
});

test('tensorflowBackendOnGpu reads the backend flag only when it is truly true', () => {
  assert.equal(tensorflowBackendOnGpu({ isUsingGpuDevice: true, isGPUPackage: true }), true);
  assert.equal(tensorflowBackendOnGpu({ isUsingGpuDevice: false, isGPUPackage: true }), false);
  assert.equal(tensorflowBackendOnGpu({ isUsingGpuDevice: 'yes' }), false);
  assert.equal(tensorflowBackendOnGpu(null), false);
});
