/**
 * The ELU quick fix as plain text edits: ReLU-family activation → ELU, and He initialisation
 * alongside (ELU needs it: docs/elu.md "He initialisation"). Pure: no `vscode`, no file I/O. The host turns
 * the edits into one WorkspaceEdit so a single undo reverts them all.
 *
 * The parser (src/model/readers/source.ts) already located the activation (`activationRange`) and the
 * initializer (`initializerRange`); this module only reads the few characters inside and around
 * those ranges, with a small bracket- and string-aware scanner, and uses @lezer/python for imports.
 */
import { parser as pythonParser } from '@lezer/python';
import type { LayerSpec, ModelOrigin, SourcePosition } from '../model/spec';
import { UserError } from '../errors';
import { isSwitchableToElu } from '../model/activation-families';

/** One replacement; positions are 1-based like SourcePosition, `end` exclusive. */
export interface TextEdit {
  start: SourcePosition;
  end: SourcePosition;
  newText: string;
}

export interface EluFix {
  layer: string;
  edits: TextEdit[];
  /** One line for the person: what the edits do. */
  description: string;
  /** What the fix could not do automatically and the person may want to do by hand. */
  notes: string[];
}

const EDITABLE: ReadonlySet<ModelOrigin> = new Set<ModelOrigin>([
  'keras-py',
  'torch-py',
  'tfjs-ts',
  'tfjs-json',
]);

/** Keras layer classes that own a kernel, so `kernel_initializer` is a valid argument. */
const KERNEL_LAYERS = new Set([
  'Dense',
  'Conv1D',
  'Conv2D',
  'Conv3D',
  'Conv1DTranspose',
  'Conv2DTranspose',
  'Conv3DTranspose',
  'LocallyConnected1D',
  'LocallyConnected2D',
]);

/** Callee names (last segment) of rectifier layer classes / functions, per spelling. */
const RECTIFIER_CLASSES = new Set(['ReLU', 'ReLU6', 'LeakyReLU', 'PReLU', 'ThresholdedReLU']);
const RECTIFIER_FUNCTIONS = new Set(['relu', 'relu6', 'leaky_relu', 'relu_']);
const TFJS_RECTIFIER_FACTORIES = new Set(['reLU', 'leakyReLU', 'prelu', 'thresholdedReLU']);

/**
 * Computes the edits that switch `layer` to ELU(alpha) in `text` (the current file contents).
 * Throws a UserError naming the file and line when the layer cannot be rewritten.
 */
export function computeEluFix(text: string, layer: LayerSpec, origin: ModelOrigin, alpha = 1.0): EluFix {
  const src = layer.source;
  const file = src?.file ?? null;
  if (!EDITABLE.has(origin)) {
    throw new UserError(
      `layer ${layer.name} comes from a saved ${origin} model, which cannot be edited as text`,
      file,
      src?.line ?? null,
      'change the activation in the script that built the model and save it again',
    );
  }
  if (!src || !src.activationRange) {
    throw new UserError(
      `no activation argument found for layer ${layer.name}`,
      file,
      src?.line ?? null,
      "write the activation explicitly (e.g. activation='relu') so the quick fix can rewrite it",
    );
  }
  if (!isSwitchableToElu(layer.activation)) {
    throw new UserError(
      `layer ${layer.name} uses ${layer.activation ?? 'no activation'}, not a ReLU`,
      file,
      src.line,
      null,
    );
  }
  const doc = new Doc(text);
  const start = doc.offset(src.activationRange.start);
  const end = doc.offset(src.activationRange.end);
  if (start === null || end === null || end <= start) {
    throw new UserError(
      `the file changed since it was parsed (layer ${layer.name})`,
      file,
      src.line,
      'save the file and try again',
    );
  }
  const edits: Edit[] = [];
  const notes: string[] = [];
  const alphaText = formatAlpha(alpha, origin);
  const first = text[start];
  let quote: string | null = null;

  if (first === "'" || first === '"' || first === '`') {
    // activation='relu' / activation: 'relu' / Activation('relu') / "relu" in model.json
    quote = first;
    const close = text.lastIndexOf(first, end - 1);
    if (close <= start) throw unrecognised(layer, src.line, text.slice(start, end));
    edits.push({ from: start + 1, to: close, text: 'elu' });
    if (alpha !== 1)
      notes.push(`the string form uses ELU's default α = 1; for α = ${alphaText} use an ELU layer`);
  } else {
    const callee = scanDottedName(text, start, end);
    if (!callee) throw unrecognised(layer, src.line, text.slice(start, end));
    const last = callee.segments[callee.segments.length - 1] as string;
    const lastStart = callee.to - last.length;
    const call = text[skipSpace(text, callee.to)] === '(' ? scanCall(text, skipSpace(text, callee.to)) : null;
    if (RECTIFIER_CLASSES.has(last) && origin === 'torch-py') {
      // nn.ReLU(inplace=True) → nn.ELU(inplace=True); LeakyReLU/PReLU arguments mean nothing to ELU.
      const kept =
        last === 'ReLU' && call
          ? call.args
              .map((a) => (a.includes('=') ? a : `inplace=${a}`))
              .filter((a) => a.startsWith('inplace'))
          : [];
      const args = [...(alpha !== 1 ? [`alpha=${alphaText}`] : []), ...kept];
      edits.push({ from: lastStart, to: call ? call.to : callee.to, text: `ELU(${args.join(', ')})` });
    } else if (RECTIFIER_CLASSES.has(last)) {
      // Keras ReLU() / layers.LeakyReLU(0.2) → ELU(alpha=1.0)
      edits.push({ from: lastStart, to: call ? call.to : callee.to, text: `ELU(alpha=${alphaText})` });
      if (callee.segments.length === 1) edits.push(...importEdits(text, last, 'ELU', notes));
    } else if (last === 'Activation' || last === 'activation') {
      // Activation('relu') / tf.layers.activation({activation: 'relu'}): rewrite the string inside.
      const lit = call ? findStringLiteral(text, call.open + 1, call.to - 1) : null;
      if (!lit) throw unrecognised(layer, src.line, text.slice(start, end));
      quote = text[lit.from] ?? null;
      edits.push({ from: lit.from + 1, to: lit.to - 1, text: 'elu' });
    } else if (TFJS_RECTIFIER_FACTORIES.has(last)) {
      // tf.layers.reLU() → tf.layers.elu({alpha: 1})
      edits.push({ from: lastStart, to: call ? call.to : callee.to, text: `elu({alpha: ${alphaText}})` });
    } else if (RECTIFIER_FUNCTIONS.has(last)) {
      // F.relu → F.elu, tf.nn.relu → tf.nn.elu, torch.relu → torch.nn.functional.elu
      const fn =
        origin === 'torch-py' && callee.segments.length === 2 && callee.segments[0] === 'torch'
          ? 'nn.functional.elu'
          : 'elu';
      edits.push({ from: lastStart, to: callee.to, text: fn });
      if (alpha !== 1 && call) {
        const sep = call.args.length > 0 ? ', ' : '';
        edits.push({ from: call.to - 1, to: call.to - 1, text: `${sep}alpha=${alphaText}` });
      }
    } else {
      throw unrecognised(layer, src.line, text.slice(start, end));
    }
  }

  // He initialisation alongside ELU, where the layer owns a kernel and the language takes an argument.
  if (origin === 'torch-py') {
    notes.push('PyTorch: initialise the preceding layer with nn.init.kaiming_normal_ (He) for ELU');
  } else if (origin === 'tfjs-json') {
    if (KERNEL_LAYERS.has(layer.className))
      notes.push('model.json: set kernel_initializer to HeNormal by hand');
  } else if (KERNEL_LAYERS.has(layer.className)) {
    edits.push(...initializerEdits(text, doc, layer, origin, quote ?? "'", start, end, notes));
  } else if (RECTIFIER_CLASSES.has(layer.className) || layer.className === 'Activation') {
    notes.push('use He initialisation (he_normal) on the layer before this activation');
  }

  const sorted = edits.sort((a, b) => a.from - b.from);
  return {
    layer: layer.name,
    edits: sorted.map((e) => ({ start: doc.position(e.from), end: doc.position(e.to), newText: e.text })),
    description: `${layer.name}: ${layer.activation} → ELU(α = ${alphaText})${edits.length > 1 ? ' with He initialisation' : ''}`,
    notes,
  };
}

interface Edit {
  from: number;
  to: number;
  text: string;
}

function unrecognised(layer: LayerSpec, line: number, snippet: string): UserError {
  return new UserError(
    `cannot rewrite the activation of layer ${layer.name} (${JSON.stringify(snippet.slice(0, 40))})`,
    layer.source?.file ?? null,
    line,
    'edit it by hand to ELU',
  );
}

function formatAlpha(alpha: number, origin: ModelOrigin): string {
  // Python reads "1.0" as a float; JS has no separate float literal.
  return origin === 'tfjs-ts' ? String(alpha) : Number.isInteger(alpha) ? alpha.toFixed(1) : String(alpha);
}

/** Adds or replaces the kernel initializer so ELU starts from He-scaled weights. */
function initializerEdits(
  text: string,
  doc: Doc,
  layer: LayerSpec,
  origin: ModelOrigin,
  quote: string,
  actStart: number,
  actEnd: number,
  notes: string[],
): Edit[] {
  const he = origin === 'tfjs-ts' ? 'heNormal' : 'he_normal';
  const key = origin === 'tfjs-ts' ? 'kernelInitializer' : 'kernel_initializer';
  const sep = origin === 'tfjs-ts' ? ': ' : '=';
  const range = layer.source?.initializerRange;
  if (range) {
    const from = doc.offset(range.start);
    const to = doc.offset(range.end);
    if (from === null || to === null) return [];
    const current = text.slice(from, to);
    if (
      current
        .toLowerCase()
        .replace(/[^a-z]/g, '')
        .startsWith('he')
    )
      return [];
    const q = current[0] === "'" || current[0] === '"' ? current[0] : quote;
    return [{ from, to, text: `${q}${he}${q}` }];
  }
  const value = `${key}${sep}${quote}${he}${quote}`;
  const before = text[skipSpaceBack(text, actStart) - 1];
  if (before === '=' || before === ':') {
    // A keyword argument / property: put the initializer right after it, in the same layout.
    const afterLiteral = actEnd;
    const next = skipInlineSpace(text, afterLiteral);
    if (text[next] === ',' && isLineEnd(text, skipInlineSpace(text, next + 1))) {
      return [{ from: next + 1, to: next + 1, text: `\n${indentOf(text, actStart)}${value},` }];
    }
    if (isLineEnd(text, next)) {
      return [{ from: afterLiteral, to: afterLiteral, text: `,\n${indentOf(text, actStart)}${value}` }];
    }
    return [{ from: afterLiteral, to: afterLiteral, text: `, ${value}` }];
  }
  // A positional activation (Dense(64, 'relu')): append a keyword argument before the closing paren.
  const endPos = layer.source?.end ? doc.offset(layer.source.end) : null;
  if (endPos !== null && text[endPos - 1] === ')') {
    const close = endPos - 1;
    const prev = skipSpaceBack(text, close);
    const comma = text[prev - 1] === ',' ? ' ' : ', ';
    return [{ from: prev, to: prev, text: `${comma}${value}` }];
  }
  notes.push(`add ${key}${sep}${quote}${he}${quote} to ${layer.name} by hand`);
  return [];
}

/** Adds `newName` to the `from … import` that brings in `oldName`, unless it is imported already. */
function importEdits(text: string, oldName: string, newName: string, notes: string[]): Edit[] {
  const tree = pythonParser.parse(text);
  let hasNew = false;
  let insertAt: number | null = null;
  let starImport = false;
  const cursor = tree.cursor();
  do {
    if (cursor.name !== 'ImportStatement') continue;
    const node = cursor.node;
    let afterImport = false;
    let previous = '';
    for (let child = node.firstChild; child; child = child.nextSibling) {
      if (child.name === 'import') afterImport = true;
      else if (afterImport && child.name === '*') starImport = true;
      else if (afterImport && child.name === 'VariableName' && previous !== 'as') {
        const name = text.slice(child.from, child.to);
        if (name === newName) hasNew = true;
        if (name === oldName && insertAt === null) insertAt = child.to;
      }
      previous = child.name;
    }
  } while (cursor.next());
  if (hasNew) return [];
  if (insertAt !== null) return [{ from: insertAt, to: insertAt, text: `, ${newName}` }];
  if (!starImport) notes.push(`import ${newName} from the module ${oldName} comes from`);
  return [];
}

interface DottedName {
  segments: string[];
  to: number;
}

function isIdentChar(c: string | undefined): boolean {
  return (
    c !== undefined &&
    (c === '_' || c === '$' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
  );
}

/** Reads `a.b.c` starting at `from` (no further than `limit`). */
function scanDottedName(text: string, from: number, limit: number): DottedName | null {
  const segments: string[] = [];
  let i = from;
  for (;;) {
    const s = i;
    while (i < limit && isIdentChar(text[i])) i++;
    if (i === s) return null;
    segments.push(text.slice(s, i));
    if (text[i] !== '.' || i + 1 >= limit) break;
    i++;
  }
  return { segments, to: i };
}

interface Call {
  open: number;
  /** Offset just past the closing parenthesis. */
  to: number;
  /** Top-level arguments, trimmed. */
  args: string[];
}

/** Reads a parenthesised argument list starting at `open` ('('), skipping strings and nesting. */
function scanCall(text: string, open: number): Call | null {
  let depth = 0;
  let argStart = open + 1;
  const args: string[] = [];
  for (let i = open; i < text.length; i++) {
    const c = text[i] as string;
    if (c === "'" || c === '"' || c === '`') {
      i = endOfString(text, i) - 1;
    } else if (c === '#' && depth > 0 && text[i - 1] !== '$') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '(' || c === '[' || c === '{') {
      depth++;
    } else if (c === ')' || c === ']' || c === '}') {
      depth--;
      if (depth === 0) {
        const last = text.slice(argStart, i).trim();
        if (last) args.push(last);
        return { open, to: i + 1, args };
      }
    } else if (c === ',' && depth === 1) {
      args.push(text.slice(argStart, i).trim());
      argStart = i + 1;
    }
  }
  return null;
}

/** Offset just past the string literal that starts at `from` (handles '''/""" and escapes). */
function endOfString(text: string, from: number): number {
  const q = text[from] as string;
  const triple = text.startsWith(q.repeat(3), from) && q !== '`';
  const close = triple ? q.repeat(3) : q;
  let i = from + close.length;
  while (i < text.length) {
    if (text[i] === '\\') i += 2;
    else if (text.startsWith(close, i)) return i + close.length;
    else if (!triple && q !== '`' && text[i] === '\n') return i;
    else i++;
  }
  return text.length;
}

function findStringLiteral(text: string, from: number, to: number): { from: number; to: number } | null {
  for (let i = from; i < to; i++) {
    const c = text[i];
    if (c === "'" || c === '"' || c === '`') return { from: i, to: endOfString(text, i) };
  }
  return null;
}

function skipSpace(text: string, i: number): number {
  while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
  return i;
}
const skipInlineSpace = skipSpace;

function skipSpaceBack(text: string, i: number): number {
  while (i > 0 && /\s/.test(text[i - 1] as string)) i--;
  return i;
}

function isLineEnd(text: string, i: number): boolean {
  return (
    i >= text.length || text[i] === '\n' || text[i] === '\r' || text[i] === '#' || text.startsWith('//', i)
  );
}

/** The indentation of the line holding `offset`, or of the argument itself when it starts that line. */
function indentOf(text: string, offset: number): string {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  let i = lineStart;
  while (text[i] === ' ' || text[i] === '\t') i++;
  return text.slice(lineStart, i);
}

/** 1-based line/column ↔ offset for one text (columns count UTF-16 code units, as editors do). */
class Doc {
  private readonly lineStarts: number[] = [0];
  constructor(private readonly text: string) {
    for (let i = 0; i < text.length; i++) if (text[i] === '\n') this.lineStarts.push(i + 1);
  }
  offset(p: SourcePosition): number | null {
    const start = this.lineStarts[p.line - 1];
    if (start === undefined || p.column < 1) return null;
    const o = start + p.column - 1;
    return o <= this.text.length ? o : null;
  }
  position(offset: number): SourcePosition {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.lineStarts[mid] as number) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - (this.lineStarts[lo] as number) + 1 };
  }
}

/** Applies edits to a text (for previews and tests); edits must not overlap. */
export function applyTextEdits(text: string, edits: readonly TextEdit[]): string {
  const doc = new Doc(text);
  const resolved = edits
    .map((e) => ({ from: doc.offset(e.start) ?? 0, to: doc.offset(e.end) ?? 0, text: e.newText }))
    .sort((a, b) => b.from - a.from);
  let out = text;
  for (const e of resolved) out = out.slice(0, e.from) + e.text + out.slice(e.to);
  return out;
}
