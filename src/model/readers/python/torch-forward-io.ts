/** The inputs a PyTorch model's `forward` takes, and the outputs its traced return value gives. */
import type { SyntaxNode } from '@lezer/common';
import type { FunctionValue } from './interpreter';
import type { Omissions } from './omissions';
import { allChildren, type SourceText } from './source-text';
import type { TorchTrace } from './torch-trace';
import { ModuleInstance, Tensor, type SequentialDef } from './torch-values';
import { describe, hostOf, type PyValue } from './values';

/** The parameters of `forward` a caller must pass (after `self`): the model's inputs. */
export function forwardInputs(forward: FunctionValue): SyntaxNode[] {
  const params = forward.node.getChild('ParamList');
  const parts = params ? allChildren(params) : [];
  const required: SyntaxNode[] = [];
  let star = false;
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if (p.name === '*' || p.name === '**') star = true;
    if (p.name !== 'VariableName' || star) continue;
    const next = parts[i + 1]?.name === 'TypeDef' ? parts[i + 2] : parts[i + 1];
    if (next?.name !== 'AssignOp') required.push(p);
  }
  return required.slice(1);
}

/** The output tensors of the traced forward. */
export function outputsOf(
  output: PyValue,
  trace: TorchTrace,
  root: ModuleInstance | SequentialDef,
  source: SourceText,
  omissions: Omissions,
): Tensor[] {
  const single = hostOf(output, Tensor);
  if (single) return [single];
  const tensors =
    output.kind === 'tuple'
      ? output.items.map((v) => hostOf(v, Tensor)).filter((t): t is Tensor => t !== null)
      : [];
  if (tensors.length > 0) {
    if (output.kind === 'tuple' && tensors.length < output.items.length)
      source.report(
        root.node,
        'forward() also returns values that are not tensors (RNN states …); only the tensors are outputs',
        'info',
      );
    return tensors;
  }
  omissions.add(
    root instanceof ModuleInstance ? root.cls.node : root.node,
    'the return value of forward()',
    `it is ${describe(output)}; the last layer computed is taken as the output`,
    null,
    `forward() returns ${describe(output)}; only tensors are understood, so the last layer computed is taken as the output`,
    'warning',
  );
  return [trace.current];
}
