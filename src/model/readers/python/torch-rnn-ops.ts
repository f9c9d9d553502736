/**
 * The outputs of PyTorch RNN modules in a traced `forward`: the last step of the sequence
 * (`out[:, -1, :]`, `out[-1]` when time-major), the final hidden state (`h_n[-1]`,
 * `h_n.squeeze(0)`, both directions `torch.cat((h_n[-2], h_n[-1]), 1)`). Other indexing of tensors
 * and states is left out on its line.
 */
import type { SyntaxNode } from '@lezer/common';
import type { CallContext } from './interpreter';
import type { SubscriptPart } from './subscripts';
import { RnnState } from './torch-recurrent';
import type { TorchTrace } from './torch-trace';
import { PASS_THROUGH_METHODS, Tensor } from './torch-values';
import { asNumber, describe, hostOf, type PyValue } from './values';

export class TorchRnnOps {
  constructor(private readonly trace: () => TorchTrace) {}

  private get t(): TorchTrace {
    return this.trace();
  }

  /** `torch.cat((h_n[-2], h_n[-1]), dim=1)` of a bidirectional RNN: its last step, or null. */
  bothDirections(items: PyValue[], node: SyntaxNode): PyValue | null {
    const states = items.map((v) => hostOf(v, RnnState));
    if (states.length !== 2 || !states.every((s) => s?.which === 'h' && s.fromEnd !== null)) return null;
    const [a, b] = states as [RnnState, RnnState];
    const ends = [a.fromEnd!, b.fromEnd!];
    if (a.app !== b.app || a.app.directions !== 2 || Math.min(...ends) !== -2 || Math.max(...ends) !== -1)
      return null;
    return this.t.lastStep(a.app, node);
  }

  /** `out[:, -1, :]`, `out[-1]` (time-major), `h_n[-1]`: the last step of an RNN; other indexing is refused. */
  subscript(object: PyValue, parts: SubscriptPart[], node: SyntaxNode): PyValue | undefined {
    const state = hostOf(object, RnnState);
    if (state) return this.stateIndex(state, parts, node);
    const tensor = hostOf(object, Tensor);
    if (!tensor) return undefined;
    const app = this.t.rnnOf.get(tensor.ref[0]);
    const isLastIndex = (p: SubscriptPart | undefined): boolean =>
      p?.kind === 'index' && asNumber(p.value) === -1;
    const isAll = (p: SubscriptPart | undefined): boolean =>
      p === undefined || (p.kind === 'slice' && p.start === null && p.stop === null && p.step === null);
    if (app && tensor === app.sequence) {
      const batchFirstLast =
        !app.timeMajor && isAll(parts[0]) && isLastIndex(parts[1]) && isAll(parts[2]) && parts.length <= 3;
      const timeMajorLast = app.timeMajor && isLastIndex(parts[0]) && parts.slice(1).every(isAll);
      if (batchFirstLast || timeMajorLast) return this.t.lastStep(app, node);
    }
    const shown = parts
      .map((p) => (p.kind === 'index' ? describe(p.value) : p.kind === 'slice' ? ':' : '...'))
      .join(', ');
    return this.t.omit(
      node,
      `indexing a tensor [${shown}]`,
      app ? 'only the last step of an RNN output is understood' : 'indexing has no TF.js layer',
      tensor,
      null,
    );
  }

  private stateIndex(state: RnnState, parts: SubscriptPart[], node: SyntaxNode): PyValue {
    const part = parts.length === 1 ? parts[0] : undefined;
    const index = part?.kind === 'index' ? asNumber(part.value) : null;
    const app = state.app;
    if (state.which !== 'h' || index === null || state.fromEnd !== null)
      return this.t.omit(
        node,
        `${state.describe()}[…]`,
        'only the final hidden state h_n[-1] (or both directions concatenated) is understood',
        app.sequence,
        null,
      );
    const fromEnd = index < 0 ? index : index - app.stateCount;
    const stateValue = new RnnState(app, 'h', fromEnd);
    if (app.directions === 1 && fromEnd === -1) return this.t.lastStep(app, node);
    return { kind: 'host', value: stateValue };
  }

  /** `h_n.squeeze(0)` of a one-layer, one-direction RNN is its last step. */
  stateMethod(state: RnnState, name: string, ctx: CallContext): PyValue | undefined {
    if (name === 'squeeze' && state.which === 'h' && state.fromEnd === null && state.app.directions === 1)
      return this.t.lastStep(state.app, ctx.node);
    if (PASS_THROUGH_METHODS.has(name)) return { kind: 'host', value: state };
    return this.t.omit(
      ctx.node,
      `${state.describe()}.${name}(...)`,
      'RNN states are understood only as the last step',
      state.app.sequence,
      null,
    );
  }
}
