// No secret in a recorded history: every payload of every kept run (inputs, plans, results, heartbeats,
// failures, memo and details), decoded, is searched for what secret-patterns.ts lists.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { secretPatterns as forbidden } from '../helpers/secret-patterns.ts';

const dir = new URL('./histories/', import.meta.url);
const files = (await readdir(dir)).filter((f) => f.endsWith('.json'));

/** Every string a history carries, with its payloads' data decoded (JSON payloads are base64 in the file). */
function texts(history: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown, key?: string) => {
    if (typeof v === 'string') out.push(key === 'data' ? Buffer.from(v, 'base64').toString('utf8') : v);
    else if (Array.isArray(v)) v.forEach((x) => walk(x));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, k);
  };
  walk(history);
  return out;
}

test('the scan finds what it looks for', () => {
  const planted = { events: [{ input: { payloads: [{ data: Buffer.from(JSON.stringify({ tls: '-----BEGIN CERTIFICATE-----\nMIIB' })).toString('base64') }] } }] };
  assert.ok(texts(planted).some((t) => forbidden[0]![1].test(t)));
});

for (const file of files) {
  test(`no secret in ${file}`, async () => {
    const all = texts(JSON.parse(await readFile(new URL(file, dir), 'utf8')));
    for (const [what, pattern] of forbidden) {
      const hit = all.find((t) => pattern.test(t));
      assert.equal(hit, undefined, `${what}: ${hit?.slice(0, 120)}`);
    }
  });
}
