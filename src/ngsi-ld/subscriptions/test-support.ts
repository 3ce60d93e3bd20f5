// Test helpers for notifications: a real HTTP receiver on a free port that records what arrives and can
// answer with an error, hang, or be killed; waits are bounded by a timeout, never fixed sleeps.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';

export interface Received {
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown> & { data: Array<Record<string, unknown>> };
  at: number;
}

export class Receiver {
  readonly received: Received[] = [];
  /** Status code to answer with. */
  status = 204;
  /** Never answer (the connection stays open until the notifier gives up). */
  hang = false;
  /** Requests seen, whatever the answer. */
  attempts = 0;
  private waiters: Array<() => void> = [];
  private constructor(private readonly server: http.Server, readonly url: string) {}

  static async start(path = '/notify'): Promise<Receiver> {
    let self: Receiver | undefined;
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const r = self!;
        r.attempts++;
        if (r.hang) return;
        let body: Received['body'];
        try { body = JSON.parse(Buffer.concat(chunks).toString('utf8')); } catch { body = { data: [] }; }
        if (r.status < 300) {
          r.received.push({ url: req.url ?? '', headers: req.headers, body, at: performance.now() });
          for (const w of r.waiters.splice(0)) w();
        }
        res.statusCode = r.status;
        res.end();
      });
    });
    server.keepAliveTimeout = 60_000;
    await new Promise<void>((res) => server.listen(0, '127.0.0.1', () => res()));
    const port = (server.address() as AddressInfo).port;
    self = new Receiver(server, `http://127.0.0.1:${port}${path}`);
    return self;
  }

  /** Resolves with all received notifications once there are at least n; rejects after timeoutMs (generous:
   *  it only costs time when a test fails, and a loaded CI machine is slow). */
  async waitFor(n: number, timeoutMs = 10_000): Promise<Received[]> {
    const end = Date.now() + timeoutMs;
    while (this.received.length < n) {
      const left = end - Date.now();
      if (left <= 0) throw new Error(`expected ${n} notification(s) at ${this.url} within ${timeoutMs} ms, got ${this.received.length}`);
      await new Promise<void>((res) => {
        const t = setTimeout(res, left);
        this.waiters.push(() => { clearTimeout(t); res(); });
      });
    }
    return this.received;
  }

  /** Stops listening and cuts every open connection (a receiver that dies mid-stream). */
  async kill(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((res) => this.server.close(() => res()));
  }

  close(): Promise<void> {
    return this.kill();
  }
}

/** A TCP port on 127.0.0.1 that nothing listens on (closed right after it was found free). */
export function closedPort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = net.createServer();
    s.on('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => res(port));
    });
  });
}

/** Whether a TCP service answers at host:port within timeoutMs. */
export function reachable(host: string, port: number, timeoutMs = 5000): Promise<boolean> {
  return new Promise((res) => {
    const sock = net.connect({ host, port });
    const done = (ok: boolean) => { sock.destroy(); res(ok); };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.on('connect', () => done(true));
    sock.on('error', () => done(false));
  });
}
