/** Commands that install the optional TensorFlow backends into the extension's global storage. */
import type { Command } from '../ctx';
import { installTfjsNode } from '../tfjs-node-install';

export const installGpuBackend: Command = (ctx) => () =>
  installTfjsNode('gpu', ctx.context.globalStorageUri, ctx.log);

export const installCpuBackend: Command = (ctx) => () =>
  installTfjsNode('cpu', ctx.context.globalStorageUri, ctx.log);
