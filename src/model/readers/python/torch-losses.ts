/**
 * PyTorch criteria → the Keras loss the trainer uses. `nn.CrossEntropyLoss` and
 * `nn.BCEWithLogitsLoss` take logits (the model ends without softmax/sigmoid); `F.nll_loss` takes
 * log-probabilities, which the reader builds as a softmax, so it is plain cross-entropy.
 */
import type { TrainingSetup } from '../../spec';

const losses: Record<string, { loss: string; fromLogits: boolean }> = {
  CrossEntropyLoss: { loss: 'sparse_categorical_crossentropy', fromLogits: true },
  cross_entropy: { loss: 'sparse_categorical_crossentropy', fromLogits: true },
  NLLLoss: { loss: 'sparse_categorical_crossentropy', fromLogits: false },
  nll_loss: { loss: 'sparse_categorical_crossentropy', fromLogits: false },
  BCEWithLogitsLoss: { loss: 'binary_crossentropy', fromLogits: true },
  binary_cross_entropy_with_logits: { loss: 'binary_crossentropy', fromLogits: true },
  BCELoss: { loss: 'binary_crossentropy', fromLogits: false },
  binary_cross_entropy: { loss: 'binary_crossentropy', fromLogits: false },
  MSELoss: { loss: 'mean_squared_error', fromLogits: false },
  mse_loss: { loss: 'mean_squared_error', fromLogits: false },
  L1Loss: { loss: 'mean_absolute_error', fromLogits: false },
  l1_loss: { loss: 'mean_absolute_error', fromLogits: false },
  SmoothL1Loss: { loss: 'huber', fromLogits: false },
  smooth_l1_loss: { loss: 'huber', fromLogits: false },
  HuberLoss: { loss: 'huber', fromLogits: false },
  huber_loss: { loss: 'huber', fromLogits: false },
};

/** Whether `name` (a class of torch.nn or a function of torch.nn.functional) is a criterion. */
export function isTorchLoss(name: string): boolean {
  return name in losses;
}

/** Records the criterion the script uses, unless one is recorded already. */
export function readTorchLoss(name: string, into: TrainingSetup): void {
  const known = losses[name];
  if (!known || into.loss) return;
  into.loss = known.loss;
  if (known.fromLogits) into.lossFromLogits = true;
}
