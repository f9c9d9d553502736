/**
 * The what-if's model edit: a copy of a ModelSpec with chosen rectifier layers switched to ELU and,
 * where asked, their kernels He-initialised. Layer names stay the same so the arms compare layer by
 * layer. He init is `he_normal`: it is what the ELU quick fix writes (src/source-edit/elu-fix.ts), so the
 * what-if tests the very edit the person would apply.
 */
import { UserError } from '../errors';
import { activationOf, isActivationLayerClass, topologyLayers } from '../model/activation-of';
import type { KerasLayerJson, ModelSpec } from '../model/spec';
import type { Suggestion } from '../protocol';
import { isWhatIfSwitchable } from '../model/activation-families';
import { isGlorotOrDefault } from '../model/initializer-names';

export const HE_INIT = 'he_normal';

export interface VariantOptions {
  /** Layers whose activation becomes ELU. */
  switchLayers: string[];
  /** Layers whose kernel gets `initializer` (a separate activation layer means the layer feeding it). */
  heInitLayers: string[];
  alpha: number;
  /** The kernel initializer written on `heInitLayers`: he_normal unless the seed grid asks for its Glorot arms. */
  initializer?: string;
}

export interface EluVariant {
  spec: ModelSpec;
  switched: string[];
  /** Layers whose kernel_initializer was set (to he_normal unless options.initializer said otherwise). */
  heInit: string[];
  notes: string[];
}

function layerName(l: KerasLayerJson): string {
  return String(l.config.name ?? l.name ?? '');
}

function hasKernel(l: KerasLayerJson): boolean {
  return (
    'kernel_initializer' in l.config ||
    /^(Dense|Conv1D|Conv2D|Conv3D|Conv2DTranspose|SeparableConv2D|DepthwiseConv2D)$/.test(l.class_name)
  );
}

/** Layers the what-if can switch, in model order. */
export function switchableLayers(spec: ModelSpec): string[] {
  return spec.layers.filter((l) => isWhatIfSwitchable(l.activation)).map((l) => l.name);
}

/**
 * Which layers to switch and He-initialise: the ones named (--layers / the card's button), else the
 * advisor's suggestions, else every switchable layer. He init follows the suggestion where there is
 * one, else the advisor's own rule (the layer uses Glorot or the default).
 */
export function chooseWhatIfLayers(
  spec: ModelSpec,
  requested: string[] | null,
  suggestions: Suggestion[] = [],
): { switchLayers: string[]; heInitLayers: string[] } {
  const switchable = switchableLayers(spec);
  let chosen: string[];
  if (requested && requested.length > 0) {
    for (const name of requested) {
      const layer = spec.layers.find((l) => l.name === name);
      if (!layer) {
        throw new UserError(
          `--layers names '${name}', which is not a layer of ${spec.name}`,
          spec.file,
          null,
          `choose from: ${switchable.join(', ') || '(no ReLU layers)'}`,
        );
      }
      if (!switchable.includes(name)) {
        throw new UserError(
          `layer '${name}' has activation '${layer.activation ?? 'none'}'; the ELU what-if switches ReLU, ReLU6, ThresholdedReLU and LeakyReLU layers`,
          layer.source?.file ?? spec.file,
          layer.source?.line ?? null,
          `choose from: ${switchable.join(', ') || '(no ReLU layers)'}`,
        );
      }
    }
    chosen = [...new Set(requested)];
  } else {
    const suggested = suggestions
      .filter((s) => s.kind === 'switch-to-elu' && switchable.includes(s.layer))
      .map((s) => s.layer);
    chosen = suggested.length > 0 ? [...new Set(suggested)] : switchable;
  }
  if (chosen.length === 0)
    throw new UserError(
      `${spec.name} has no ReLU-family layer to switch to ELU`,
      spec.file,
      null,
      'the what-if compares ReLU with ELU; this model has nothing to compare',
    );
  const heInitLayers = chosen.filter((name) => {
    const s = suggestions.find((x) => x.kind === 'switch-to-elu' && x.layer === name);
    if (s) return s.heInit;
    return isGlorotOrDefault(kernelInitializerFor(spec, name));
  });
  return { switchLayers: chosen, heInitLayers };
}

/** The kernel initializer behind a layer's activation (its own, or the layer feeding a ReLU layer). */
function kernelInitializerFor(spec: ModelSpec, name: string): string | null | undefined {
  const i = spec.layers.findIndex((l) => l.name === name);
  const own = spec.layers[i];
  if (own && own.kernelInitializer !== undefined && own.kernelInitializer !== null)
    return own.kernelInitializer;
  const feeder = kernelLayerFeeding(spec, i);
  return feeder ? feeder.kernelInitializer : undefined;
}

/** For a separate activation layer at index i, the nearest earlier layer with a kernel (Sequential order). */
function kernelLayerFeeding(spec: ModelSpec, i: number): ModelSpec['layers'][number] | undefined {
  for (let k = i; k >= 0; k--) {
    const l = spec.layers[k]!;
    if (/^(Dense|Conv1D|Conv2D|Conv3D|Conv2DTranspose|SeparableConv2D|DepthwiseConv2D)$/.test(l.className))
      return l;
  }
  return undefined;
}

/** A copy of `spec` with the chosen layers on ELU and He init; the original is never modified. */
export function eluVariant(spec: ModelSpec, options: VariantOptions): EluVariant {
  const copy = JSON.parse(JSON.stringify({ topology: spec.topology, layers: spec.layers })) as Pick<
    ModelSpec,
    'topology' | 'layers'
  >;
  const layers = topologyLayers(copy.topology);
  const byName = new Map(layers.map((l) => [layerName(l), l]));
  const notes: string[] = [];
  const heInit: string[] = [];

  for (const name of options.heInitLayers) {
    const index = layers.findIndex((l) => layerName(l) === name);
    let target = layers[index];
    // A separate ReLU layer has no kernel: He init goes on the layer that feeds it.
    if (target && !hasKernel(target)) {
      for (let k = index - 1; k >= 0; k--) {
        if (hasKernel(layers[k]!)) {
          target = layers[k];
          break;
        }
      }
    }
    if (!target || !hasKernel(target)) {
      notes.push(`${name}: no kernel to He-initialise`);
      continue;
    }
    target.config.kernel_initializer = options.initializer ?? HE_INIT;
    heInit.push(layerName(target));
  }

  for (const name of options.switchLayers) {
    const layer = byName.get(name);
    if (!layer) throw new UserError(`layer '${name}' is not in ${spec.name}`, spec.file);
    const activation = activationOf(layer.class_name, layer.config);
    if (!isWhatIfSwitchable(activation)) {
      throw new UserError(
        `layer '${name}' has activation '${activation ?? 'none'}', not a ReLU to switch`,
        spec.file,
      );
    }
    if (isActivationLayerClass(layer.class_name)) {
      // A separate activation layer becomes an ELU layer of the same name.
      layer.class_name = 'ELU';
      layer.config = {
        name,
        alpha: options.alpha,
        ...pick(layer.config, ['trainable', 'dtype', 'batch_input_shape', 'input_shape']),
      };
    } else {
      if (options.alpha !== 1) {
        // A fused activation='elu' is α = 1 in Keras and TF.js alike; other α need an ELU layer.
        throw new UserError(
          `layer '${name}' applies its activation inside the layer, where ELU's α is fixed at 1 (α=${options.alpha} asked)`,
          spec.file,
          spec.layers.find((l) => l.name === name)?.source?.line ?? null,
          'run the what-if with --alpha 1, or move the activation into its own layer (ELU(alpha=…))',
        );
      }
      layer.config.activation = 'elu';
    }
  }

  const he = new Set(heInit);
  const classOf = new Map(topologyLayers(copy.topology).map((l) => [layerName(l), l.class_name]));
  // Saved weights stay with the ReLU arm; the runner copies them into the ELU arm where shapes match.
  const { weights: _saved, ...rest } = spec;
  void _saved;
  const switched = new Set(options.switchLayers);
  return {
    spec: {
      ...rest,
      name: options.switchLayers.length > 0 ? `${spec.name} (ELU)` : spec.name,
      topology: copy.topology,
      layers: copy.layers.map((l) => ({
        ...l,
        className: classOf.get(l.name) ?? l.className,
        activation: switched.has(l.name) ? 'elu' : l.activation,
        kernelInitializer: he.has(l.name) ? (options.initializer ?? HE_INIT) : (l.kernelInitializer ?? null),
      })),
    },
    switched: options.switchLayers,
    heInit,
    notes,
  };
}

function pick(config: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) if (config[k] !== undefined) out[k] = config[k];
  return out;
}
