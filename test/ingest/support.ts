// Helpers of the ingest tests: provisioning bodies and requests with fiware-service headers.
import type { TestApp } from '../support/app.ts';

export const svc = (service: string, path = '/'): Record<string, string> => ({ 'fiware-service': service, 'fiware-servicepath': path, 'content-type': 'application/json' });

export const AQ_GROUP = {
  apikey: 'aq-key',
  entity_type: 'AirQualityObserved',
  resource: '/iot/json',
  attributes: [
    { object_id: 't', name: 'temperature', type: 'Number', metadata: { unitCode: { type: 'Text', value: 'CEL' } } },
    { object_id: 'no2', name: 'NO2', type: 'Number', metadata: { unitCode: { type: 'Text', value: 'GQ' } } },
    { object_id: 'st', name: 'status', type: 'Text' },
  ],
  static_attributes: [{ name: 'dataProvider', type: 'Text', value: 'test' }],
};

export async function provision(t: TestApp, service: string, path: string, groups: unknown[], devices: unknown[] = []): Promise<void> {
  if (groups.length) {
    const r = await t.app.inject({ method: 'POST', url: '/iot/services', headers: svc(service, path), payload: { services: groups } });
    if (r.statusCode !== 201) throw new Error(`provisioning groups failed: ${r.statusCode} ${r.body}`);
  }
  if (devices.length) {
    const r = await t.app.inject({ method: 'POST', url: '/iot/devices', headers: svc(service, path), payload: { devices } });
    if (r.statusCode !== 201) throw new Error(`provisioning devices failed: ${r.statusCode} ${r.body}`);
  }
}

export async function measure(t: TestApp, k: string, i: string, body: unknown, extra = ''): Promise<{ status: number; body: Record<string, unknown> | undefined }> {
  const r = await t.app.inject({ method: 'POST', url: `/iot/json?k=${encodeURIComponent(k)}&i=${encodeURIComponent(i)}${extra}`, headers: { 'content-type': 'application/json' }, payload: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: r.statusCode, body: r.body ? JSON.parse(r.body) as Record<string, unknown> : undefined };
}

export async function entity(t: TestApp, tenant: string, id: string): Promise<Record<string, unknown> | undefined> {
  const r = await t.app.inject({ method: 'GET', url: `/ngsi-ld/v1/entities/${encodeURIComponent(id)}`, headers: tenant ? { 'ngsild-tenant': tenant } : {} });
  return r.statusCode === 200 ? JSON.parse(r.body) as Record<string, unknown> : undefined;
}

export async function metrics(t: TestApp): Promise<Record<string, any>> {
  return JSON.parse((await t.app.inject({ method: 'GET', url: '/iot/metrics' })).body) as Record<string, any>;
}
