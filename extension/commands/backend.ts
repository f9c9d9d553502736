/** Commands that install the optional TensorFlow backends into the extension's global storage. */
import type { Command } from '../ctx';
import { installTfjsNode } from '../tfjs-node-install';
import { requireTrust } from './require-trust';

/**
 * The install runs npm (and the package's install script, which downloads libtensorflow); the
 * engine then loads its native addon. Neither waits on a folder the person has not trusted.
 */
const WHY = 'it runs npm and installs a native library that analyses will load';

export const installGpuBackend: Command = (ctx) => () =>
  requireTrust('installing the TensorFlow GPU backend', WHY)
    ? installTfjsNode('gpu', ctx.context.globalStorageUri, ctx.log)
    : false;

export const installCpuBackend: Command = (ctx) => () =>
  requireTrust('installing the TensorFlow CPU backend', WHY)
    ? installTfjsNode('cpu', ctx.context.globalStorageUri, ctx.log)
    : false;
