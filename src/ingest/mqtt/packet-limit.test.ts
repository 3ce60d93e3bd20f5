import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { limitPackets } from './packet-limit.ts';

/** A real TCP pair: the server side wrapped by limitPackets. */
async function pair(max: number) {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  const [sock] = await once(server, 'connection') as [net.Socket];
  const tooLarge: number[] = [];
  const got: Buffer[] = [];
  const d = limitPackets(sock, max, (n) => tooLarge.push(n));
  d.on('data', (b: Buffer) => got.push(b));
  d.on('error', () => undefined);
  return { server, client, d, tooLarge, got: () => Buffer.concat(got) };
}
const tick = () => new Promise((r) => setTimeout(r, 30));

test('packets within the limit pass unchanged, also with fixed headers split across TCP chunks', async () => {
  const p = await pair(300);
  const a = Buffer.from([0x30, 3, 1, 2, 3]);                  // PUBLISH, 3 bytes
  const b = Buffer.concat([Buffer.from([0x30, 0xac, 0x02]), Buffer.alloc(300, 7)]); // remaining length 300 (2-byte varint)
  for (const piece of [a.subarray(0, 1), a.subarray(1), b.subarray(0, 2), b.subarray(2, 100), b.subarray(100)]) { p.client.write(piece); await tick(); }
  assert.deepEqual(p.got(), Buffer.concat([a, b]));
  assert.deepEqual(p.tooLarge, []);
  p.client.destroy(); p.server.close();
});

test('a packet announcing more than the limit closes the connection before its body is buffered', async () => {
  const p = await pair(300);
  p.client.write(Buffer.from([0x30, 0x80, 0x80, 0x01])); // remaining length 16,384
  await once(p.client, 'close');
  assert.deepEqual(p.tooLarge, [16384]);
  p.server.close();
});
