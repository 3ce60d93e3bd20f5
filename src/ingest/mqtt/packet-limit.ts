// Guards the embedded broker against giant MQTT packets: aedes has no packet size limit, so a
// client could make it buffer up to 256 MB. This wraps a connection, follows the MQTT fixed headers
// (type byte + remaining-length varint) and closes the connection before buffering a packet
// longer than the limit.
import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';

/** Wraps `socket`; `onTooLarge(bytes)` is called once before the socket is destroyed. */
export function limitPackets(socket: Socket, maxPacket: number, onTooLarge: (bytes: number) => void): Duplex {
  let skip = 0; // bytes of the current packet's body still to pass
  let header: number[] = []; // fixed header bytes of the next packet, when split across chunks
  const check = (chunk: Buffer): boolean => {
    let i = 0;
    while (i < chunk.length) {
      if (skip > 0) {
        const n = Math.min(skip, chunk.length - i);
        skip -= n;
        i += n;
        continue;
      }
      header.push(chunk[i++]);
      if (header.length === 1) continue; // the type byte
      const last = header[header.length - 1];
      if (last & 0x80) {
        if (header.length > 5) return false; // a malformed length: more than 4 varint bytes
        continue;
      }
      let len = 0;
      for (let k = header.length - 1; k >= 1; k--) len = len * 128 + (header[k] & 0x7f);
      header = [];
      if (len > maxPacket) { onTooLarge(len); return false; }
      skip = len;
    }
    return true;
  };
  const d = new Duplex({
    read() { socket.resume(); },
    write(chunk, _enc, cb) { socket.write(chunk, cb); },
    final(cb) { socket.end(); cb(); },
    destroy(err, cb) { socket.destroy(); cb(err); },
  });
  socket.on('data', (chunk: Buffer) => {
    if (!check(chunk)) { socket.destroy(); d.destroy(); return; }
    if (!d.push(chunk)) socket.pause();
  });
  socket.on('end', () => d.push(null));
  socket.on('close', () => d.destroy());
  socket.on('error', (e) => d.destroy(e));
  return d;
}
