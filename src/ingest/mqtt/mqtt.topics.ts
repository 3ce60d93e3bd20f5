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

/** Whether a topic (or topic filter) stays inside one apikey's namespace. */
export function topicApikey(topic: string): string | undefined {
  const l = topic.split('/');
  if (l[0] === '') l.shift();
  if (l[0] === 'json') l.shift();
  const k = l[0];
  return k && k !== '+' && k !== '#' ? k : undefined;
}
