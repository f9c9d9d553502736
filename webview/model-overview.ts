/**
 * The model overview: every tapped layer as a row, every probe step as a column, coloured by the
 * dead / saturated share or by mean drift, on one canvas (a 200-layer × 500-step run would be
 * 100,000 DOM nodes otherwise). Self-contained: it gets its data through `update`, says which
 * layer to open through `onOpen`, and knows nothing else of the dashboard, so other views (an
 * editor tab, an exported report) can host it too. Keyboard: Tab to the canvas, ↑/↓ (PageUp/Down,
 * Home/End) choose a layer, Enter or Space opens it.
 */
import { el } from './dom';
import { cssVar, hexToRgb, themeColors } from './theme';
import { colorTable, cssRgb, divergingColor, LUT_STEPS, sequentialColor, type Rgb } from './overview-palette';
import {
  overviewGrid,
  type OverviewGrid,
  type OverviewInput,
  type OverviewMode,
  type OverviewOrder,
  type OverviewCache,
  type OverviewRow,
} from './overview-grid';

/**
 * Row heights in CSS pixels. Up to LABELLED_ROWS layers get rows tall enough for their names
 * (the box scrolls past half the view's height); wider models get thin rows that show the whole
 * model at a glance, and the caption names the row under the pointer or the keyboard focus.
 */
const LABELLED_ROWS = 64;
const LABELLED_ROW = 10;
const ROW_MAX = 14;
const ROW_MIN = 4;

const LEGEND_WIDTH = 96;
/** Room kept for a vertical scrollbar (VS Code's webview scrollbars are 10px wide). */
const SCROLLBAR = 12;

function rowHeightFor(rows: number): number {
  return rows <= LABELLED_ROWS
    ? Math.max(LABELLED_ROW, Math.min(ROW_MAX, Math.floor(640 / rows)))
    : Math.max(ROW_MIN, Math.min(LABELLED_ROW - 1, Math.floor(480 / rows)));
}

/** Writes only what changed: an equal write still invalidates the page's style. */
function setText(node: HTMLElement, text: string): void {
  if (node.textContent !== text) node.textContent = text;
}

interface Layout {
  width: number;
  rowHeight: number;
  labelWidth: number;
  plotWidth: number;
  height: number;
}

export class ModelOverview {
  readonly root: HTMLElement;
  private readonly canvas = el('canvas', { class: 'overview-canvas', tabindex: '0' });
  private readonly scroller = el('div', { class: 'overview-scroll' });
  private readonly caption = el('p', { class: 'overview-caption', 'aria-live': 'polite' });
  private readonly firstStep = el('span', {});
  private readonly lastStep = el('span', {});
  private readonly legendTitle = el('span', { class: 'overview-legend-title' });
  private readonly legendLow = el('span', {});
  private readonly legendHigh = el('span', {});
  private readonly legendRamp = el('canvas', {
    class: 'overview-ramp',
    width: String(LEGEND_WIDTH),
    height: '8',
  });
  private readonly empty = el('p', { class: 'empty' }, 'The overview fills with the first probe.');
  private readonly modeButtons: HTMLButtonElement[];
  private readonly orderButtons: HTMLButtonElement[];
  /** One pixel per cell, scaled up when painted. */
  private readonly cells = document.createElement('canvas');
  private input: OverviewInput = { steps: [], layers: [] };
  private readonly cache: OverviewCache = new Map();
  private grid: OverviewGrid | null = null;
  private layout: Layout = { width: 0, rowHeight: ROW_MAX, labelWidth: 0, plotWidth: 0, height: 0 };
  private mode: OverviewMode = 'health';
  private order: OverviewOrder = 'severity';
  private active: string | null = null;
  private selected: string | null = null;
  private hover: { row: number; column: number } | null = null;
  private paintQueued = false;
  private knownWidth: number | null = null;
  private legendKey = '';

  constructor(private readonly onOpen: (layer: string) => void) {
    this.modeButtons = [
      this.toggle('Dead / saturated', 'mode', 'health'),
      this.toggle('Mean drift', 'mode', 'drift'),
    ];
    this.orderButtons = [
      this.toggle('Worst first', 'order', 'severity'),
      this.toggle('Model order', 'order', 'model'),
    ];
    this.scroller.append(this.canvas);
    this.root = el(
      'div',
      { class: 'overview' },
      el(
        'div',
        { class: 'overview-controls' },
        el('div', { role: 'group', 'aria-label': 'Colour by', class: 'segmented' }, ...this.modeButtons),
        el('div', { role: 'group', 'aria-label': 'Order rows', class: 'segmented' }, ...this.orderButtons),
      ),
      this.empty,
      this.scroller,
      el('div', { class: 'overview-axis' }, this.firstStep, this.lastStep),
      el(
        'div',
        { class: 'overview-legend' },
        this.legendTitle,
        this.legendLow,
        this.legendRamp,
        this.legendHigh,
      ),
      this.caption,
    );
    this.canvas.addEventListener('click', (e) => this.openRow(this.rowAt(e.offsetY)));
    this.canvas.addEventListener('mousemove', (e) => this.hoverAt(e.offsetX, e.offsetY));
    this.canvas.addEventListener('mouseleave', () => {
      this.hover = null;
      this.queuePaint();
    });
    this.canvas.addEventListener('keydown', (e) => this.onKey(e));
    this.canvas.addEventListener('focus', () => {
      if (!this.active) this.active = this.grid?.rows[0]?.name ?? null;
      this.queuePaint();
    });
    this.canvas.addEventListener('blur', () => this.queuePaint());
    this.syncToggles();
  }

  /**
   * New data (at most a few times a second while a run goes). `width`: the host's width in CSS
   * pixels when it has read it already (measured here otherwise, which may force a layout).
   */
  update(input: OverviewInput, width?: number): void {
    this.input = input;
    this.knownWidth = width ?? null;
    this.rebuild();
  }

  /** Marks `layer` as the one whose detail is open and brings its row into view. */
  select(layer: string): void {
    this.selected = layer;
    this.active = layer;
    this.scrollToRow(this.rowIndex(layer));
    this.paint();
  }

  /** Row names top to bottom, as drawn. */
  rowOrder(): string[] {
    return this.grid?.rows.map((r) => r.name) ?? [];
  }

  private toggle(label: string, kind: 'mode' | 'order', value: string): HTMLButtonElement {
    const button = el('button', { type: 'button', class: 'toggle', [`data-${kind}`]: value }, label);
    button.addEventListener('click', () => {
      if (kind === 'mode') this.mode = value as OverviewMode;
      else this.order = value as OverviewOrder;
      this.syncToggles();
      this.rebuild();
    });
    return button;
  }

  private syncToggles(): void {
    for (const b of this.modeButtons) b.setAttribute('aria-pressed', String(b.dataset.mode === this.mode));
    for (const b of this.orderButtons) b.setAttribute('aria-pressed', String(b.dataset.order === this.order));
    this.canvas.dataset.mode = this.mode;
    this.canvas.dataset.order = this.order;
  }

  /** Recomputes the grid and the cell image; then paints. */
  private rebuild(): void {
    const rows = this.input.layers.length;
    this.empty.hidden = rows > 0;
    this.scroller.hidden = rows === 0;
    if (rows === 0) {
      this.grid = null;
      setText(this.caption, '');
      return;
    }
    const rowHeight = rowHeightFor(rows);
    // Taller than its box (max-height: 50vh): leave room for the box's scrollbar.
    const scrolls = rows * rowHeight > window.innerHeight / 2;
    const width = Math.max(
      120,
      (this.knownWidth ?? (this.root.clientWidth || 300)) - (scrolls ? SCROLLBAR : 0),
    );
    const labelWidth = rowHeight >= LABELLED_ROW ? Math.min(Math.round(width * 0.4), 160) : 0;
    const plotWidth = Math.max(1, width - labelWidth);
    this.layout = { width, rowHeight, labelWidth, plotWidth, height: rows * rowHeight };
    const dpr = window.devicePixelRatio || 1;
    const grid = overviewGrid(this.input, this.mode, this.order, Math.round(plotWidth * dpr), this.cache);
    this.grid = grid;
    this.paintCells(grid);
    const steps = grid.columnSteps;
    setText(this.firstStep, `step ${steps[0]?.[0] ?? 0}`);
    setText(this.lastStep, `step ${steps[steps.length - 1]?.[1] ?? 0}`);
    const label = `Model overview: ${grid.rows.length} layers by ${this.input.steps.length} probe steps, coloured by ${this.mode === 'health' ? 'dead or saturated share' : 'mean drift'}. Up and down arrows choose a layer, Enter opens it.`;
    if (this.canvas.getAttribute('aria-label') !== label) {
      this.canvas.setAttribute('aria-label', label);
      this.canvas.dataset.rows = String(grid.rows.length);
    }
    if (this.canvas.dataset.columns !== String(steps.length))
      this.canvas.dataset.columns = String(steps.length);
    this.paintLegend(grid);
    this.paint();
  }

  /** One pixel per cell in an offscreen canvas; `paint` scales it up without smoothing. */
  private paintCells(grid: OverviewGrid): void {
    const columns = grid.columnSteps.length;
    const rows = grid.rows.length;
    this.cells.width = columns;
    this.cells.height = rows;
    const ctx = this.cells.getContext('2d');
    if (!ctx) return;
    const image = ctx.createImageData(columns, rows);
    const data = image.data;
    const health = grid.mode === 'health';
    const table = colorTable(health ? 'sequential' : 'diverging', backgroundRgb());
    const top = LUT_STEPS - 1;
    for (let r = 0; r < rows; r++) {
      const values = grid.rows[r]!.values;
      for (let c = 0; c < columns; c++) {
        const v = values[c]!;
        if (Number.isNaN(v)) continue; // no probe: transparent
        const t = health ? v : (v / grid.driftLimit + 1) / 2;
        const i = 3 * Math.round(Math.min(1, Math.max(0, t)) * top);
        const at = 4 * (r * columns + c);
        data[at] = table[i]!;
        data[at + 1] = table[i + 1]!;
        data[at + 2] = table[i + 2]!;
        data[at + 3] = 255;
      }
    }
    ctx.putImageData(image, 0, 0);
  }

  private paintLegend(grid: OverviewGrid): void {
    const middle = backgroundRgb();
    const key = `${grid.mode} ${grid.driftLimit} ${middle.join(',')}`;
    if (key === this.legendKey) return;
    this.legendKey = key;
    const ctx = this.legendRamp.getContext('2d');
    if (ctx) {
      for (let x = 0; x < LEGEND_WIDTH; x++) {
        const t = x / (LEGEND_WIDTH - 1);
        ctx.fillStyle = cssRgb(
          grid.mode === 'health' ? sequentialColor(t) : divergingColor(2 * t - 1, middle),
        );
        ctx.fillRect(x, 0, 1, 8);
      }
    }
    if (grid.mode === 'health') {
      setText(this.legendTitle, 'dead (ReLU) or saturated (ELU) share');
      setText(this.legendLow, '0%');
      setText(this.legendHigh, '100%');
    } else {
      setText(this.legendTitle, 'mean drift since step 0, in step-0 std (σ₀)');
      setText(this.legendLow, `−${grid.driftLimit}σ₀`);
      setText(this.legendHigh, `+${grid.driftLimit}σ₀`);
    }
  }

  private queuePaint(): void {
    if (this.paintQueued) return;
    this.paintQueued = true;
    requestAnimationFrame(() => {
      this.paintQueued = false;
      this.paint();
    });
  }

  /** Draws the cell image, names, the selected layer and the focus / hover ring. */
  private paint(): void {
    const grid = this.grid;
    if (!grid) return;
    const { width, rowHeight, labelWidth, plotWidth, height } = this.layout;
    const dpr = window.devicePixelRatio || 1;
    const canvas = this.canvas;
    if (canvas.width !== Math.round(width * dpr) || canvas.height !== Math.round(height * dpr)) {
      canvas.width = Math.round(width * dpr);
      canvas.height = Math.round(height * dpr);
      canvas.style.width = `${width}px`;
      canvas.style.height = `${height}px`;
    }
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    const theme = themeColors();
    const classes = document.body.classList;
    const highContrast =
      classes.contains('vscode-high-contrast') || classes.contains('vscode-high-contrast-light');
    const focus = cssVar('--vscode-focusBorder', theme.blue);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    ctx.imageSmoothingEnabled = false;
    if (this.cells.width > 0 && this.cells.height > 0)
      ctx.drawImage(this.cells, 0, 0, this.cells.width, this.cells.height, labelWidth, 0, plotWidth, height);
    if (highContrast && rowHeight >= 6) {
      // High contrast themes draw every boundary: rows get the theme's contrast border.
      ctx.strokeStyle = cssVar('--vscode-contrastBorder', theme.foreground);
      ctx.lineWidth = 1;
      for (let r = 1; r < grid.rows.length; r++) {
        ctx.beginPath();
        ctx.moveTo(labelWidth, r * rowHeight + 0.5);
        ctx.lineTo(width, r * rowHeight + 0.5);
        ctx.stroke();
      }
    }
    if (labelWidth > 0) {
      ctx.fillStyle = theme.foreground;
      ctx.font = `${Math.min(12, rowHeight - 2)}px ${getComputedStyle(document.body).fontFamily || 'sans-serif'}`;
      ctx.textBaseline = 'middle';
      grid.rows.forEach((row, r) => {
        ctx.fillText(ellipsize(ctx, row.name, labelWidth - 8), 4, r * rowHeight + rowHeight / 2);
      });
    }
    const selected = this.rowIndex(this.selected);
    if (selected >= 0) {
      ctx.fillStyle = focus;
      ctx.fillRect(0, selected * rowHeight, 3, rowHeight);
    }
    const focused = document.activeElement === canvas ? this.rowIndex(this.active) : -1;
    const hovered = this.hover?.row ?? -1;
    for (const r of new Set([focused, hovered])) {
      if (r < 0) continue;
      ctx.strokeStyle = focus;
      ctx.lineWidth = highContrast || r === focused ? 2 : 1;
      ctx.strokeRect(1, r * rowHeight + 1, width - 2, Math.max(1, rowHeight - 2));
    }
    setText(
      this.caption,
      this.describe(hovered >= 0 ? hovered : focused, hovered >= 0 ? (this.hover?.column ?? -1) : -1),
    );
  }

  /** "dense_3 · 41% dead at step 500 · row 1 of 200" (a column: that column's steps). */
  private describe(r: number, column: number): string {
    const grid = this.grid;
    const row = grid?.rows[r];
    if (!grid || !row)
      return this.grid ? 'Click a row (or Tab to it and press Enter) to open that layer.' : '';
    const at = column >= 0 ? column : grid.columnSteps.length - 1;
    const [from, to] = grid.columnSteps[at] ?? [0, 0];
    const value = column >= 0 ? row.values[column]! : row.latest;
    const steps = from === to ? `step ${to}` : `steps ${from}–${to}`;
    return `${row.name} · ${formatValue(grid, row, value)} at ${steps} · row ${r + 1} of ${grid.rows.length}`;
  }

  private rowIndex(name: string | null): number {
    if (!name || !this.grid) return -1;
    return this.grid.rows.findIndex((r) => r.name === name);
  }

  private rowAt(y: number): number {
    const r = Math.floor(y / this.layout.rowHeight);
    return this.grid && r >= 0 && r < this.grid.rows.length ? r : -1;
  }

  private hoverAt(x: number, y: number): void {
    const row = this.rowAt(y);
    const columns = this.grid?.columnSteps.length ?? 0;
    const { labelWidth, plotWidth } = this.layout;
    const column =
      x >= labelWidth ? Math.min(columns - 1, Math.floor(((x - labelWidth) / plotWidth) * columns)) : -1;
    if (row === this.hover?.row && column === this.hover.column) return;
    this.hover = row >= 0 ? { row, column } : null;
    this.queuePaint();
  }

  private openRow(r: number): void {
    const row = this.grid?.rows[r];
    if (!row) return;
    this.active = row.name;
    this.selected = row.name;
    this.paint();
    this.onOpen(row.name);
  }

  private onKey(e: KeyboardEvent): void {
    const rows = this.grid?.rows ?? [];
    if (rows.length === 0) return;
    const current = Math.max(0, this.rowIndex(this.active));
    const page = Math.max(1, Math.floor(this.scroller.clientHeight / this.layout.rowHeight) - 1);
    const moves: Record<string, number> = {
      ArrowDown: current + 1,
      ArrowUp: current - 1,
      PageDown: current + page,
      PageUp: current - page,
      Home: 0,
      End: rows.length - 1,
    };
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      this.openRow(current);
      return;
    }
    const next = moves[e.key];
    if (next === undefined) return;
    e.preventDefault();
    const r = Math.max(0, Math.min(rows.length - 1, next));
    this.active = rows[r]!.name;
    this.hover = null;
    this.scrollToRow(r);
    this.paint();
  }

  private scrollToRow(r: number): void {
    if (r < 0) return;
    const top = r * this.layout.rowHeight;
    const s = this.scroller;
    if (top < s.scrollTop) s.scrollTop = top;
    else if (top + this.layout.rowHeight > s.scrollTop + s.clientHeight)
      s.scrollTop = top + this.layout.rowHeight - s.clientHeight;
  }
}

function formatValue(grid: OverviewGrid, row: OverviewRow, v: number): string {
  if (!Number.isFinite(v)) return 'no probe';
  if (grid.mode === 'health') return `${Math.round(v * 100)}% ${row.metric}`;
  return `mean drift ${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(2)}σ₀`;
}

function backgroundRgb(): Rgb {
  return hexToRgb(themeColors().background) ?? [37, 37, 38];
}

function ellipsize(ctx: CanvasRenderingContext2D, text: string, width: number): string {
  if (ctx.measureText(text).width <= width) return text;
  let s = text;
  while (s.length > 1 && ctx.measureText(`${s}…`).width > width) s = s.slice(0, -1);
  return `${s}…`;
}
