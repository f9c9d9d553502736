/**
 * What a PyTorch script says about its training outside the model: the criterion its training code
 * calls (found by name, since nothing runs `train()` statically) and the epochs of its loop.
 */
import type { SyntaxNode } from '@lezer/common';
import type { TrainingSetup } from '../../spec';
import type { Interpreter } from './interpreter';
import { isTorchLoss, readTorchLoss } from './torch-losses';
import type { Scope } from './values';

/** The loss usually sits in a `train()` nothing runs statically: find `F.nll_loss(...)` by name. */
export function readLossFromTrainingCode(interp: Interpreter, training: TrainingSetup): void {
  if (training.loss) return;
  const cursor = interp.source.tree.cursor();
  do {
    if (cursor.name !== 'CallExpression') continue;
    const callee = cursor.node.firstChild;
    if (!callee || (callee.name !== 'MemberExpression' && callee.name !== 'VariableName')) continue;
    if (callee.name === 'MemberExpression' && callee.firstChild?.name !== 'VariableName') continue;
    const v = interp.evaluate(callee, interp.module);
    const last = v.kind === 'ref' ? v.path.slice(v.path.lastIndexOf('.') + 1) : '';
    if (v.kind === 'ref' && v.path.startsWith('torch.nn.') && isTorchLoss(last)) {
      readTorchLoss(last, training);
      return;
    }
  } while (cursor.next());
}

/** `for epoch in range(1, args.epochs + 1):` states the epochs. */
export function readEpochs(
  interp: Interpreter,
  statement: SyntaxNode,
  scope: Scope,
  training: TrainingSetup,
): void {
  if (statement.name !== 'ForStatement' || training.epochs !== undefined) return;
  const target = statement.getChild('VariableName');
  if (!target || !interp.source.slice(target).toLowerCase().includes('epoch')) return;
  const call = statement.getChild('CallExpression');
  if (!call) return;
  const range = interp.evaluate(call, scope);
  if (range.kind === 'tuple') training.epochs = range.items.length;
}
