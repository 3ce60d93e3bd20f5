// Worker thread that runs the dispatcher and the HTTP/MQTT notifiers, so that notification I/O (sockets,
// TLS, retries) never competes with the write path on the main event loop. Outcomes go back in batches.
import { parentPort, workerData } from 'node:worker_threads';
import { HttpNotifier } from './notifier.http.ts';
import { MqttNotifier } from './notifier.mqtt.ts';
import { Dispatcher, type Delivery } from './subscriptions.dispatcher.ts';
import type { OutcomeCounts, ToWorker, WorkerInit } from './dispatch.remote.ts';

const init = workerData as WorkerInit;
const port = parentPort!;
const httpN = new HttpNotifier({ allowPrivate: init.allowPrivate });
const mqttN = new MqttNotifier({ allowPrivate: init.allowPrivate });
let batch = new Map<string, OutcomeCounts>();
let timer: NodeJS.Timeout | undefined;

function post(): void {
  timer = undefined;
  if (batch.size === 0) return;
  port.postMessage({ type: 'outcomes', list: [...batch.values()] });
  batch = new Map();
}

const dispatcher = new Dispatcher({
  ...init,
  notifiers: { 'http:': httpN, 'https:': httpN, 'mqtt:': mqttN, 'mqtts:': mqttN },
  now: () => new Date(),
  onOutcome(d: Delivery, o) {
    const key = `${d.tenant}\u0000${d.subId}`;
    let c = batch.get(key);
    if (!c) batch.set(key, (c = { tenant: d.tenant, subId: d.subId, uri: d.uri, sent: 0, dropped: 0, ok: 0, failed: 0, lastOk: true, finals: 0 }));
    if (!o.dropped) c.sent++; else c.dropped++;
    if (o.ok) c.ok++; else { c.failed++; c.reason = o.reason; }
    c.lastOk = o.ok;
    if (o.ok || o.dropped === true || d.attempt > init.retries) c.finals++;
    // Counts summed per subscription every 10 ms keep the main thread's share small and the counters fresh.
    if (batch.size >= 1024) post();
    else if (!timer) timer = setTimeout(post, 10);
  },
});

port.on('message', (m: ToWorker) => {
  if (m.type === 'deliver') {
    for (const d of m.list) dispatcher.enqueue(d);
  } else if (m.type === 'stop') {
    void dispatcher.stop().then(() => {
      if (timer) clearTimeout(timer);
      post();
      port.postMessage({ type: 'stopped' });
      port.close();
    });
  }
});
