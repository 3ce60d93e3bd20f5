import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMeasureTopic, topicApikey } from './mqtt.topics.ts';

test('IoT Agent JSON measurement topics are parsed: attrs, attrs/<attr>, /json/ prefix, without leading slash', () => {
  assert.deepEqual(parseMeasureTopic('/k1/dev-1/attrs'), { apikey: 'k1', deviceId: 'dev-1' });
  assert.deepEqual(parseMeasureTopic('/k1/dev-1/attrs/t'), { apikey: 'k1', deviceId: 'dev-1', attr: 't' });
  assert.deepEqual(parseMeasureTopic('/json/k1/dev-1/attrs'), { apikey: 'k1', deviceId: 'dev-1' });
  assert.deepEqual(parseMeasureTopic('/json/k1/dev-1/attrs/no2'), { apikey: 'k1', deviceId: 'dev-1', attr: 'no2' });
  assert.deepEqual(parseMeasureTopic('k1/dev-1/attrs'), { apikey: 'k1', deviceId: 'dev-1' });
});

test('other topics are not measurements', () => {
  for (const t of ['/k1/dev-1/cmd', '/k1/dev-1', '/k1/dev-1/attrs/t/x', '//dev/attrs', '/k1//attrs', '/k1/d/attrs/', 'notifications/x']) {
    assert.equal(parseMeasureTopic(t), undefined, t);
  }
});

test('topicApikey names the apikey namespace of a topic or filter (wildcards name none)', () => {
  assert.equal(topicApikey('/k1/d/attrs'), 'k1');
  assert.equal(topicApikey('/json/k1/d/attrs'), 'k1');
  assert.equal(topicApikey('/+/d/attrs'), undefined);
  assert.equal(topicApikey('#'), undefined);
});

test('authorisation and ingest read the same apikey from a topic: json/<k>/attrs is device <k> of the group "json"', () => {
  for (const t of ['json/k1/attrs', '/json/k1/attrs', 'json/k1/attrs/t', '/k1/d/attrs', '/json/k1/d/attrs/t', 'k1/d/attrs']) {
    assert.equal(topicApikey(t), parseMeasureTopic(t)!.apikey, t);
  }
  assert.equal(topicApikey('json/k1/attrs'), 'json');
  assert.equal(topicApikey('/json/k1/d/cmd'), 'k1', 'other topics: the namespace after json/');
  assert.equal(topicApikey('+/k1/attrs'), undefined);
});
