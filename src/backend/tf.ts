/** The single lazily loaded TF.js module the engine uses (heavy: never load it at activation). */
import type * as tfType from '@tensorflow/tfjs';

export type Tf = typeof tfType;

let loaded: Tf | null = null;

export async function loadTf(): Promise<Tf> {
  if (!loaded) {
    // tfjs-core warns about the missing tfjs-node on every import; the engine reports backends itself.
    const warn = console.warn;
    console.warn = () => undefined;
    try {
      loaded = (await import('@tensorflow/tfjs')) as Tf;
    } finally {
      console.warn = warn;
    }
  }
  return loaded;
}
