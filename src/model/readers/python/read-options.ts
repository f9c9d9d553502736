/** What the person tells the reader beyond the file: which model, what input shape. */
import type { ReadLimits } from './budget';

export interface PythonReadOptions {
  /** The model to analyze when the file defines several (`--model NAME`): a variable, class or function name. */
  model?: string | null;
  /** Per-sample input shape, channels-last (`--input-shape 28,28,1`); used when the file does not state it. */
  inputShape?: number[] | null;
  /**
   * For lenses and quick fixes: what cannot be known (an unstated input shape) is assumed and
   * reported as an issue, instead of refusing. The engine never reads leniently.
   */
  lenient?: boolean;
  /** Budgets for the read (tests lower them). */
  limits?: ReadLimits;
}
