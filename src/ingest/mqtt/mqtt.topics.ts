// MQTT topics of the IoT Agent JSON: /<apikey>/<deviceId>/attrs (a JSON object of measurements) and
// /<apikey>/<deviceId>/attrs/<attr> (one value), also with the /json/ prefix and without the leading slash.

export interface MeasureTopic {
  apikey: string;
  deviceId: string;
  /** Set for the single-attribute form. */
  attr?: string;
}

/** Topic filters the ingest subscribes to (external broker; `$share/<group>/` is prepended there). */
export const MEASURE_FILTERS = ['/+/+/attrs', '/+/+/attrs/+', '/json/+/+/attrs', '/json/+/+/attrs/+', '+/+/attrs', '+/+/attrs/+'];

export function parseMeasureTopic(topic: string): MeasureTopic | undefined {
  const l = topic.split('/');
  if (l[0] === '') l.shift();
  // Prefixed form first: json/<k>/<d>/attrs[/<attr>]
  if (l[0] === 'json' && l[3] === 'attrs' && (l.length === 4 || l.length === 5)) return shape(l[1], l[2], l[4]);
  if (l[2] === 'attrs' && (l.length === 3 || l.length === 4)) return shape(l[0], l[1], l[3]);
  return undefined;
}

function shape(apikey: string, deviceId: string, attr: string | undefined): MeasureTopic | undefined {
  if (!apikey || !deviceId || attr === '') return undefined;
  return attr === undefined ? { apikey, deviceId } : { apikey, deviceId, attr };
}

/**
 * The apikey whose namespace a topic (or topic filter) is in; what the brokers authorise against.
 * A measurement topic names the apikey parseMeasureTopic reads from it (the one it is ingested
 * under): `json/<k>/attrs` is device <k> of the group "json", never apikey <k>. Other topics are in
 * the namespace of their first level (after an optional `json/`). Wildcards name none.
 */
export function topicApikey(topic: string): string | undefined {
  const m = parseMeasureTopic(topic);
  const l = topic.split('/');
  if (l[0] === '') l.shift();
  if (l[0] === 'json' && !m) l.shift();
  const k = m ? m.apikey : l[0];
  return k && !k.includes('+') && !k.includes('#') ? k : undefined;
}
