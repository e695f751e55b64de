// A real SMTP server in its own process, for delivery tests (the smtp-server package).
// Env: PORT, SPOOL (folder for received messages), REJECT (regex: RCPT answered 550),
// TEMPFAIL (how many DATA commands are answered 451 before accepting).
// Faults after the message is in the spool (the server has it, the client does not know yet):
// HOLD_MS (wait before the 250), DROP (how many connections are cut instead of answering),
// BREAK_LOG (a file replaced by a folder until BREAK_LOG_MS later, so appending to it fails).
import { mkdirSync, renameSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';

const spool = process.env.SPOOL;
mkdirSync(spool, { recursive: true });
const reject = process.env.REJECT ? new RegExp(process.env.REJECT) : undefined;
let tempFails = Number(process.env.TEMPFAIL ?? 0);
const holdMs = Number(process.env.HOLD_MS ?? 0);
let drops = Number(process.env.DROP ?? 0);
const breakLog = process.env.BREAK_LOG;
let breakLogOnce = Boolean(breakLog);
let n = 0;

const server = new SMTPServer({
  disabledCommands: ['STARTTLS', 'AUTH'],
  authOptional: true,
  logger: false,
  onRcptTo(address, _session, cb) {
    if (reject?.test(address.address)) {
      const err = new Error('5.1.1 mailbox unavailable');
      err.responseCode = 550;
      return cb(err);
    }
    cb();
  },
  onData(stream, session, cb) {
    const chunks = [];
    stream.on('data', (c) => chunks.push(c));
    stream.on('end', () => {
      if (tempFails > 0) {
        tempFails -= 1;
        const err = new Error('4.3.0 try again later');
        err.responseCode = 451;
        return cb(err);
      }
      n += 1;
      const name = String(n).padStart(4, '0');
      // The envelope first, and the message under its final name last (a rename): a reader that sees
      // the .eml finds both complete.
      writeFileSync(join(spool, `${name}.json`), JSON.stringify({ from: session.envelope.mailFrom.address, to: session.envelope.rcptTo.map((r) => r.address) }));
      writeFileSync(join(spool, `${name}.eml.part`), Buffer.concat(chunks));
      renameSync(join(spool, `${name}.eml.part`), join(spool, `${name}.eml`));
      if (breakLogOnce) {
        breakLogOnce = false;
        renameSync(breakLog, `${breakLog}.aside`);
        mkdirSync(breakLog);
        setTimeout(() => {
          rmdirSync(breakLog);
          renameSync(`${breakLog}.aside`, breakLog);
        }, Number(process.env.BREAK_LOG_MS ?? 1000));
      }
      if (drops > 0) {
        drops -= 1;
        for (const c of server.connections) if (c.session?.id === session.id) c._socket.destroy();
        return;
      }
      setTimeout(() => cb(null, `queued as ${name}`), holdMs);
    });
  },
});
server.listen(Number(process.env.PORT), '127.0.0.1', () => process.send?.('ready'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
