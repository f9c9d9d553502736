/**
 * One source definition may build several runtime layers: `self.conv1 = nn.Conv2d(...)` in a
 * ResNet block used 8 times, `model.add(Dense(units))` in a loop. Each such layer gets
 * `sourceInstances` ({index, count}), so a lens can say "×8" and a report "layer 3 of 8" from the
 * spec alone. Layers of one class at one location are instances of one definition (the padding
 * layer a strided `nn.Conv2d` adds is not an instance of the convolution).
 */
import type { LayerSpec } from '../../spec';

export function markSourceInstances(layers: LayerSpec[]): void {
  const groups = new Map<string, LayerSpec[]>();
  for (const layer of layers) {
    const s = layer.source;
    if (!s) continue;
    const key = `${layer.className}\0${s.file}\0${s.line}\0${s.column}`;
    const group = groups.get(key);
    if (group) group.push(layer);
    else groups.set(key, [layer]);
  }
  for (const group of groups.values()) {
    if (group.length < 2) continue;
    group.forEach((layer, i) => {
      layer.sourceInstances = { index: i + 1, count: group.length };
    });
  }
}
