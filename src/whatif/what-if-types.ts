/**
 * What the what-if reports beyond protocol.ts's WhatIfArm / WhatIfReport: the extra fields are
 * additive (a WhatIfArmDetail is a WhatIfArm), so consumers of the protocol types keep working.
 */
import type { WhatIfArm, WhatIfReport } from '../protocol';

export interface WhatIfLayerFinal {
  layer: string;
  /** Dead units at the last probe (ReLU family only; 0 for ELU, which cannot die). */
  dead: number;
  dormant: number;
  /** Saturated units at the last probe (ELU / leaky family; 0 for ReLU). */
  saturated: number;
  mean: number;
  meanAbs: number;
  /** Units (Dense) or channels (conv). */
  units: number;
  activation: string;
  /** The layer's mean activation at step 0, for the drift. */
  mean0: number;
  /** Whether this arm changed the layer. */
  switched: boolean;
}

export interface WhatIfArmDetail extends WhatIfArm {
  final: WhatIfLayerFinal[];
  /** Per probe step, per layer mean activation (drift over time, for charts). */
  meanDrift: { layer: string; steps: number[]; mean: number[] }[];
}

export type Verdict = WhatIfReport['verdict'];

export interface WhatIfReportDetail extends WhatIfReport {
  arms: WhatIfArmDetail[];
  alpha: number;
  /** Layers whose kernel the ELU arm He-initialised (he_normal). */
  heInit: string[];
  /** What both arms share at step 0. */
  sharedWeights: { copied: number; ownInit: string[]; unmatched: string[] };
  /** ELU arm's median ms/step over the baseline's. */
  stepTimeRatio: number;
  notes: string[];
  cancelled: boolean;
}
