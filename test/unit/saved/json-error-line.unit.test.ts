// The line a broken model.json breaks on (the message names it): null for JSON that JSON.parse
// accepts, the line of the first character that cannot continue it otherwise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonErrorLine } from '../../../src/model/readers/json-error-line';

test('valid JSON (as JSON.parse decides) has no error line', () => {
  for (const text of [
    '{}',
    '[]',
    '{"a": [1, 2.5e-3, -4], "b": {"c": null, "d": true, "e": false}, "f": "x\\"y"}',
    '\n[\n  {"modelTopology": {}},\n  [[], {}]\n]\n',
  ]) {
    JSON.parse(text);
    assert.equal(jsonErrorLine(text), null, text);
  }
});

test('broken JSON: the line where it breaks', () => {
  const cases: [string, number][] = [
    ['{\n  "a": 1,\n  "b": 2,\n}', 4],
    ['{\n  "a": [1, 2\n  "b": 3\n}', 3],
    ['[\n1,\n2\n3]', 4],
    ['{\n"a" 1}', 2],
    ['{"a": 1}\n\nx', 3],
    ['{\n  "weights": [tru]\n}', 2],
  ];
  for (const [text, line] of cases) {
    assert.throws(() => JSON.parse(text));
    assert.equal(jsonErrorLine(text), line, JSON.stringify(text));
  }
});
