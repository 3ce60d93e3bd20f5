// Subscriptions have owners (docs/security.md): with access control on, a principal sees, changes
// and deletes only the subscriptions it created; an operator of the tenant sees and manages all.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { authApp, HERNE_POLICY, type AuthApp } from './auth-support.ts';

let t: AuthApp;
const keys: Record<string, string> = {};
const h = (who: string) => ({ 'content-type': 'application/json', 'x-api-key': keys[who] });

before(async () => {
  t = await authApp(HERNE_POLICY);
  keys.operator = t.operatorKey!;
  keys.app1 = (await t.key({ name: 'buerger-app', roles: ['citizen'] }))!;
  keys.app2 = (await t.key({ name: 'verkehrs-app', roles: ['citizen'] }))!;
});
after(async () => { await t.close(); });

async function subscribe(who: string): Promise<string> {
  const r = await t.app.inject({ method: 'POST', url: '/ngsi-ld/v1/subscriptions', headers: h(who), payload: { type: 'Subscription', entities: [{ type: 'Building' }], notification: { endpoint: { uri: 'http://127.0.0.1:9/notify' } } } });
  assert.equal(r.statusCode, 201, r.body);
  return decodeURIComponent(String(r.headers.location).split('/').pop() ?? '');
}
const list = async (who: string) => {
  const r = await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/subscriptions?count=true', headers: h(who) });
  assert.equal(r.statusCode, 200, r.body);
  return { ids: (r.json() as Array<{ id: string }>).map((s) => s.id).sort(), count: Number(r.headers['ngsild-results-count']) };
};

test('each principal sees and manages only its own subscriptions; the operator sees and manages all', async () => {
  const a = await subscribe('app1');
  const b = await subscribe('app2');
  const o = await subscribe('operator');
  assert.deepEqual(await list('app1'), { ids: [a], count: 1 });
  assert.deepEqual(await list('app2'), { ids: [b], count: 1 });
  assert.deepEqual(await list('operator'), { ids: [a, b, o].sort(), count: 3 });

  const url = (id: string) => `/ngsi-ld/v1/subscriptions/${encodeURIComponent(id)}`;
  // Another principal's subscription does not exist for app2: 404, and nothing changes.
  assert.equal((await t.app.inject({ method: 'GET', url: url(a), headers: h('app2') })).statusCode, 404);
  assert.equal((await t.app.inject({ method: 'PATCH', url: url(a), headers: h('app2'), payload: { isActive: false } })).statusCode, 404);
  assert.equal((await t.app.inject({ method: 'DELETE', url: url(a), headers: h('app2') })).statusCode, 404);
  const still = await t.app.inject({ method: 'GET', url: url(a), headers: h('app1') });
  assert.equal(still.statusCode, 200);
  assert.equal((still.json() as { isActive: boolean }).isActive, true);

  // The owner changes its own; the owner stays after the change.
  assert.equal((await t.app.inject({ method: 'PATCH', url: url(a), headers: h('app1'), payload: { isActive: false } })).statusCode, 204);
  assert.deepEqual((await list('app1')).ids, [a]);
  // The operator manages anyone's.
  assert.equal((await t.app.inject({ method: 'GET', url: url(b), headers: h('operator') })).statusCode, 200);
  assert.equal((await t.app.inject({ method: 'DELETE', url: url(b), headers: h('operator') })).statusCode, 204);
  assert.deepEqual(await list('app2'), { ids: [], count: 0 });
  assert.equal((await t.app.inject({ method: 'DELETE', url: url(a), headers: h('app1') })).statusCode, 204);
  assert.deepEqual(await list('operator'), { ids: [o], count: 1 });
});
