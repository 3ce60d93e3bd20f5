// Mail through SMTP (DREHSCHEIBE_SMTP_URL) with nodemailer against a minimal SMTP server this test
// starts on a free port: a delivered mail is marked sent in the outbox, a refused one failed with
// the server's answer; extra header fields (List-Unsubscribe) go out as they are.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { accountsApp, type AccountsApp } from './support.ts';

let smtp: Server;
const received: Array<{ from: string; to: string[]; data: string }> = [];
let t: AccountsApp;

/** Enough of RFC 5321 for one client: EHLO, MAIL, RCPT (refusing one mailbox), DATA, QUIT. */
function session(sock: Socket): void {
  let buf = '';
  let inData = false;
  let cur = { from: '', to: [] as string[], data: '' };
  const say = (l: string) => sock.write(`${l}\r\n`);
  say('220 localhost ESMTP test');
  sock.on('data', (chunk) => {
    buf += chunk.toString('utf8');
    for (;;) {
      if (inData) {
        const end = buf.indexOf('\r\n.\r\n');
        if (end < 0) return;
        cur.data = buf.slice(0, end);
        buf = buf.slice(end + 5);
        inData = false;
        received.push(cur);
        cur = { from: '', to: [], data: '' };
        say('250 2.0.0 queued');
        continue;
      }
      const nl = buf.indexOf('\r\n');
      if (nl < 0) return;
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 2);
      const cmd = line.slice(0, 4).toUpperCase();
      if (cmd === 'EHLO' || cmd === 'HELO') say('250 localhost');
      else if (cmd === 'MAIL') { cur.from = line; say('250 2.1.0 ok'); }
      else if (cmd === 'RCPT') {
        if (/gesperrt@/.test(line)) say('550 5.1.1 mailbox unavailable');
        else { cur.to.push(line); say('250 2.1.5 ok'); }
      } else if (cmd === 'DATA') { inData = true; say('354 go ahead'); }
      else if (cmd === 'RSET') { cur = { from: '', to: [], data: '' }; say('250 ok'); }
      else if (cmd === 'QUIT') { say('221 bye'); sock.end(); return; }
      else say('502 not implemented');
    }
  });
}

before(async () => {
  smtp = createServer(session);
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
  t = await accountsApp({ DREHSCHEIBE_SMTP_URL: `smtp://127.0.0.1:${(smtp.address() as { port: number }).port}`, DREHSCHEIBE_MAIL_FROM: 'Stadt Herne <noreply@herne.de>' });
  await t.user('post@herne.de');
  await t.user('gesperrt@herne.de');
});
after(async () => {
  await t.close();
  await new Promise((r) => smtp.close(r));
});

function decodeQP(s: string): string {
  return Buffer.from(s.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8');
}

test('with DREHSCHEIBE_SMTP_URL a reset mail is delivered by SMTP and marked sent in the outbox', async () => {
  await t.app.inject({ method: 'POST', url: '/konto/passwort-vergessen', payload: { email: 'post@herne.de' } });
  await t.app.drehscheibe.accounts.idle();
  const mails = (await t.app.inject({ url: '/admin/outbox?to=post%40herne.de', headers: { 'x-api-key': t.operatorKey } })).json() as Array<{ state: string; doneAt?: string }>;
  assert.equal(mails.length, 1);
  assert.equal(mails[0].state, 'sent');
  assert.ok(mails[0].doneAt);
  assert.equal(received.length, 1);
  assert.match(received[0].from, /noreply@herne\.de/);
  assert.match(received[0].to[0], /post@herne\.de/);
  assert.match(decodeQP(received[0].data), /\/konto\/passwort-zuruecksetzen\?token=[A-Za-z0-9_-]{43}/);
});

test('a mail the SMTP server refuses is marked failed with its answer', async () => {
  await t.app.inject({ method: 'POST', url: '/konto/passwort-vergessen', payload: { email: 'gesperrt@herne.de' } });
  await t.app.drehscheibe.accounts.idle();
  const mails = (await t.app.inject({ url: '/admin/outbox?state=failed', headers: { 'x-api-key': t.operatorKey } })).json() as Array<{ to: string; error?: string }>;
  assert.equal(mails.length, 1);
  assert.equal(mails[0].to, 'gesperrt@herne.de');
  assert.match(mails[0].error ?? '', /550|mailbox unavailable/);
});

test('extra header fields (RFC 8058 List-Unsubscribe) go out through SMTP as they are, and stay in the outbox', async () => {
  const url = 'https://drehscheibe.test/beteiligung/abbestellen?token=eyJ4Ijox.c2lnbg';
  const before = received.length;
  await t.app.drehscheibe.accounts.mailer.send({ to: 'post@herne.de', subject: 'Neuigkeit', text: 'Text', headers: { 'List-Unsubscribe': `<${url}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } });
  await t.app.drehscheibe.accounts.idle();
  assert.equal(received.length, before + 1);
  // Header lines may be folded (RFC 5322 2.2.3): unfold first.
  const data = received.at(-1)!.data.replace(/\r\n[ \t]+/g, ' ');
  assert.match(data, new RegExp(`^List-Unsubscribe: <${url.replace(/[.?]/g, '\\$&')}>\\r$`, 'm'));
  assert.match(data, /^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r$/m);
  const mails = (await t.app.inject({ url: '/admin/outbox?to=post%40herne.de', headers: { 'x-api-key': t.operatorKey } })).json() as Array<{ subject: string; headers?: Record<string, string> }>;
  assert.deepEqual(mails.find((m) => m.subject === 'Neuigkeit')?.headers, { 'List-Unsubscribe': `<${url}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' });
});
