import { parseArgs } from 'node:util';
import readline from 'node:readline';
import pino from 'pino';
import { AppError } from '@helppoint/shared';
import { configFromEnv } from './config.ts';
import { openDatabase } from './db/openDatabase.ts';
import { AuditRepo } from './db/AuditRepo.ts';
import { EnrolmentCodeRepo } from './db/EnrolmentCodeRepo.ts';
import { TerminalKeyRepo } from './db/TerminalKeyRepo.ts';
import { TerminalRepo } from './db/TerminalRepo.ts';
import { USER_ROLES, UserRepo, type UserRole } from './db/UserRepo.ts';
import { isDbError } from './db/DbError.ts';
import { CLI_ACTOR } from './trust/Actor.ts';
import { DEFAULT_CODE_TTL_MS, EnrolmentService } from './trust/EnrolmentService.ts';
import { checkNewPassword } from './trust/passwordPolicy.ts';

const USAGE = `usage: helppoint-relay <command>   (the database is $HELPPOINT_DB)
  user add --username <name> --role <${USER_ROLES.join('|')}> [--display-name <name>] [--password-stdin]
      the first admin of a station comes from here; the password is read from stdin
  enrol-code --terminal <location ID> [--ttl-hours 24]
      a one-time code for helppoint-kiosk enrol on that terminal's Pi
  terminal revoke --terminal <location ID> --reason <text>
      refuse that terminal's key from now on (a running relay drops it at its next heartbeat)`;

/**
 * The station host's admin commands, run next to the relay on the same
 * database. Everything is audited with actor "cli".
 */
async function main(argv: string[]): Promise<number> {
  const [command, sub] = argv;
  const known = (command === 'user' && sub === 'add') || command === 'enrol-code' || (command === 'terminal' && sub === 'revoke');
  if (!known) return usage();
  const rest = argv.slice(command === 'user' || command === 'terminal' ? 2 : 1);
  const { values } = parseArgs({
    args: rest,
    options: {
      username: { type: 'string' },
      role: { type: 'string' },
      'display-name': { type: 'string' },
      'password-stdin': { type: 'boolean' },
      terminal: { type: 'string' },
      'ttl-hours': { type: 'string' },
      reason: { type: 'string' },
    },
    strict: true,
  });
  const config = configFromEnv(process.env);
  const db = openDatabase(config.dbPath);
  const audit = new AuditRepo({ db });
  try {
    if (command === 'user' && sub === 'add') {
      const { username, role } = values;
      if (!username || !role) return usage();
      if (!(USER_ROLES as readonly string[]).includes(role)) throw new Error(`role must be one of ${USER_ROLES.join(', ')}`);
      const password = await readPassword();
      checkNewPassword(password, username);
      const user = await new UserRepo({ db }).create({ username, role: role as UserRole, displayName: values['display-name'] ?? username, password });
      audit.write({ actor: CLI_ACTOR.label, action: 'user.create', target: user.username, detail: { role: user.role } });
      console.log(`created ${user.role} ${user.username} (id ${user.id})`);
      return 0;
    }
    const enrolment = () =>
      new EnrolmentService({
        db,
        terminals: new TerminalRepo({ db }),
        keys: new TerminalKeyRepo({ db }),
        codes: new EnrolmentCodeRepo({ db }),
        audit,
        logger: pino({ level: 'silent' }),
      });
    if (command === 'enrol-code') {
      if (!values.terminal) return usage();
      const hours = values['ttl-hours'] === undefined ? DEFAULT_CODE_TTL_MS / 3600_000 : Number(values['ttl-hours']);
      if (!Number.isInteger(hours) || hours < 1 || hours > 168) throw new Error('--ttl-hours must be a whole number from 1 to 168');
      const { code, expiresAt } = enrolment().createCode(values.terminal, CLI_ACTOR, hours * 3600_000);
      console.log(`enrolment code for ${values.terminal}: ${code}`);
      console.log(`valid once, until ${new Date(expiresAt).toISOString()}`);
      return 0;
    }
    if (command === 'terminal' && sub === 'revoke') {
      if (!values.terminal || !values.reason) return usage();
      enrolment().revoke(values.terminal, CLI_ACTOR, values.reason);
      console.log(`revoked ${values.terminal}`);
      return 0;
    }
    return usage();
  } finally {
    db.close();
  }
}

function usage(): number {
  console.error(USAGE);
  return 2;
}

/** One line from stdin; on a terminal it is asked for without echo. */
async function readPassword(): Promise<string> {
  const rl = readline.createInterface({ input: process.stdin, terminal: false });
  if (process.stdin.isTTY) {
    process.stderr.write('password: ');
    process.stdin.setRawMode?.(false);
  }
  for await (const line of rl) {
    rl.close();
    return line;
  }
  throw new Error('no password on stdin');
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  const code = error instanceof AppError ? error.code : isDbError(error) ? error.code : undefined;
  console.error(`error${code ? ` (${code})` : ''}: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
