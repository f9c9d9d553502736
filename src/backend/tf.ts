/** The single lazily loaded TF.js module the engine uses (heavy: never load it at activation). */
import type * as tfType from '@tensorflow/tfjs';

export type Tf = typeof tfType;

let loaded: Tf | null = null;

export async function loadTf(): Promise<Tf> {
  if (!loaded) {
    loaded = (await import('@tensorflow/tfjs')) as Tf;
    // PROD silences tfjs's "install tfjs-node" banner on first cpu use: the engine reports which
    // backend ran, and why others did not, itself.
    loaded.env().set('PROD', true);
  }
  return loaded;
}
