// HTTP measurements as the IoT Agent JSON takes them: POST /iot/json?k=<apikey>&i=<deviceId>[&t=<time>]
// with a JSON object of measurements (and /iot/json/attrs/<attr> for one value). The device is
// authenticated by its service group's apikey; the answer waits until the measurement is written.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IngestPipeline } from '../mapping/ingest.pipeline.ts';
import { callerOutcome, ingestErrorHandler, sendOutcome } from './ingest.http.ts';

type Req = FastifyRequest<{ Querystring: Record<string, string>; Params: { attr?: string } }>;
export const PUBLIC = { access: { op: 'public' as const } };

/**
 * The body is taken raw (any content type), so the pipeline parses, limits and counts it: malformed
 * JSON and oversized payloads are ingest rejections like any other.
 */
export function rawBodies(app: FastifyInstance, pipeline: IngestPipeline): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.setErrorHandler((err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      const q = req.query as Record<string, string>;
      const message = `The payload exceeds the limit of ${err.message.match(/\d+/)?.[0] ?? '?'} bytes`;
      pipeline.refuse({ source: 'http', apikey: q.k, deviceId: q.i, payload: undefined }, 'payload_too_large', message);
      return sendOutcome(reply, { ok: false, reason: 'payload_too_large', message });
    }
    return ingestErrorHandler(err, req, reply);
  });
}

export async function measureRoutes(app: FastifyInstance, pipeline: IngestPipeline, maxPayload: number): Promise<void> {
  rawBodies(app, pipeline);
  const opts = { config: PUBLIC, bodyLimit: maxPayload };
  const handle = async (req: Req, reply: FastifyReply) => {
    const q = req.query;
    if (!q.k || !q.i) {
      const message = 'The query parameters k (apikey) and i (device id) are required';
      pipeline.refuse({ source: 'http', apikey: q.k, deviceId: q.i, payload: undefined }, q.k ? 'unknown_device' : 'unknown_apikey', message);
      return sendOutcome(reply, { ok: false, reason: q.k ? 'unknown_device' : 'unknown_apikey', message });
    }
    const o = await pipeline.submitAsync({ source: 'http', apikey: q.k, deviceId: q.i, time: q.t, attr: req.params.attr, payload: req.body ?? Buffer.alloc(0) });
    return sendOutcome(reply, callerOutcome(o));
  };
  app.post('/iot/json', opts, handle);
  app.post('/iot/json/attrs/:attr', opts, handle);
}
