// LoRaWAN network-server webhooks carrying decoded payloads: ChirpStack v4 HTTP integration
// (POST …/chirpstack?event=up, deviceInfo.devEui, object, time) and The Things Stack v3 webhooks
// (end_device_ids.dev_eui, uplink_message.decoded_payload, received_at). The device is found by
// DevEUI; the webhook authenticates with its service group's apikey (?k= or X-Ingest-Apikey header).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IngestPipeline, RawMeasurement } from '../mapping/ingest.pipeline.ts';
import { PUBLIC, rawBodies } from '../http/measures.routes.ts';
import { callerOutcome, sendOutcome } from '../http/ingest.http.ts';
import type { MeasurementRejected } from '../mapping/measurement.mapper.ts';

type Req = FastifyRequest<{ Querystring: Record<string, string> }>;

function obj(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? v as Record<string, unknown> : undefined;
}

function apikeyOf(req: Req): string | undefined {
  const h = req.headers['x-ingest-apikey'];
  return req.query.k ?? (Array.isArray(h) ? h[0] : h);
}

/** Parses the webhook body; undefined answers "not an uplink, nothing to do" (204). */
type Extract = (body: Record<string, unknown>, req: Req) => { devEui: unknown; payload: unknown; time: unknown } | undefined;

const chirpstack: Extract = (b, req) => {
  if ((req.query.event ?? 'up') !== 'up') return undefined; // join, status, ack, txack, log, location: not measurements
  return { devEui: obj(b.deviceInfo)?.devEui, payload: b.object, time: b.time };
};

const ttn: Extract = (b) => {
  const up = obj(b.uplink_message);
  if (!up) return undefined; // join_accept, downlink_*, location_solved, service_data …
  return { devEui: obj(b.end_device_ids)?.dev_eui, payload: up.decoded_payload, time: up.received_at ?? b.received_at };
};

export async function lorawanRoutes(app: FastifyInstance, pipeline: IngestPipeline, maxPayload: number): Promise<void> {
  rawBodies(app, pipeline);
  const route = (source: 'chirpstack' | 'ttn', extract: Extract) => async (req: Req, reply: FastifyReply) => {
    const apikey = apikeyOf(req);
    const base: RawMeasurement = { source, apikey, payload: undefined };
    let body: Record<string, unknown> | undefined;
    try { body = obj(JSON.parse((req.body as Buffer | undefined)?.toString() ?? '')); } catch { body = undefined; }
    if (!body) {
      pipeline.refuse(base, 'invalid_json', 'The webhook body is not a JSON object');
      return sendOutcome(reply, { ok: false, reason: 'invalid_json', message: 'The webhook body is not a JSON object' });
    }
    try { pipeline.check(body); } catch (e) {
      const r = e as MeasurementRejected;
      pipeline.refuse(base, r.reason, r.message);
      return sendOutcome(reply, { ok: false, reason: r.reason, message: r.message });
    }
    const x = extract(body, req);
    if (!x) return reply.status(204).send();
    if (typeof x.devEui !== 'string' || !/^[0-9a-fA-F]{16}$/.test(x.devEui)) {
      pipeline.refuse(base, 'unknown_device', 'The uplink carries no DevEUI (16 hexadecimal digits)');
      return sendOutcome(reply, { ok: false, reason: 'unknown_device', message: 'The uplink carries no DevEUI (16 hexadecimal digits)' });
    }
    if (!apikey) {
      pipeline.refuse({ ...base, devEui: x.devEui }, 'unknown_apikey', 'The webhook must name its service group apikey (?k= or the X-Ingest-Apikey header)');
      return sendOutcome(reply, { ok: false, reason: 'unknown_apikey', message: 'The webhook must name its service group apikey (?k= or the X-Ingest-Apikey header)' });
    }
    if (x.payload === undefined || x.payload === null) {
      const field = source === 'chirpstack' ? 'object' : 'uplink_message.decoded_payload';
      const missing = `The uplink has no decoded payload (no "${field}"): configure a payload codec / formatter for the device on the network server`;
      return sendOutcome(reply, callerOutcome(await pipeline.submitAsync({ ...base, devEui: x.devEui, payload: undefined, missing })));
    }
    return sendOutcome(reply, callerOutcome(await pipeline.submitAsync({ ...base, devEui: x.devEui, payload: x.payload, time: x.time })));
  };
  const opts = { config: PUBLIC, bodyLimit: maxPayload };
  app.post('/iot/lorawan/chirpstack', opts, route('chirpstack', chirpstack));
  app.post('/iot/lorawan/ttn', opts, route('ttn', ttn));
}
