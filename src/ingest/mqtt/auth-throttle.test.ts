import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FailureThrottle } from './auth-throttle.ts';

test('FailureThrottle: perMinute attempts per key, refilled over the minute; a success gives its token back; 0 = off', () => {
  let now = 0;
  const t = new FailureThrottle(3, () => now);
  assert.deepEqual([t.take('a'), t.take('a'), t.take('a'), t.take('a')], [true, true, true, false]);
  assert.equal(t.take('b'), true, 'keys are independent');
  now += 19_000;
  assert.equal(t.take('a'), false, 'one token takes 20 s at 3 a minute');
  now += 1_000;
  assert.equal(t.take('a'), true);
  t.refund('a');
  assert.equal(t.take('a'), true, 'a refunded token can be taken again');
  assert.equal(t.take('a'), false);
  const off = new FailureThrottle(0, () => now);
  for (let i = 0; i < 100; i++) assert.equal(off.take('a'), true);
});
