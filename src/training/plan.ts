/** The training plan of a built model on its splits: each output's loss, its labels checked. */
import type * as tfType from '@tensorflow/tfjs';
import type { Splits } from '../data/splits';
import type { ModelSpec } from '../model/spec';
import { checkLabels, dataWanted, type TrainingPlan } from './label-check';
import { planLosses } from './loss-plan';
import { outputHeads } from './output-heads';

export function trainingPlan(
  model: tfType.LayersModel,
  spec: ModelSpec | null,
  splits: Splits,
): TrainingPlan {
  const losses = planLosses(outputHeads(model, spec), spec);
  return checkLabels(losses, splits, spec, dataWanted(losses, splits.sampleShape, null));
}
