// One online backup of the relay database, for deploy/helppoint-relay-backup.timer.
// Safe while the relay runs: SQLite's backup API copies a consistent snapshot.
// Usage: HELPPOINT_DB=… HELPPOINT_BACKUP_DIR=… [HELPPOINT_BACKUP_KEEP=48] node scripts/backup-relay-db.ts
import BetterSqlite3 from 'better-sqlite3';
import pino from 'pino';
import { DbBackups } from '../relay/src/db/DbBackups.ts';
import { configFromEnv } from '../relay/src/config.ts';

const config = configFromEnv(process.env);
if (!config.backupDir) {
  console.error('set HELPPOINT_BACKUP_DIR');
  process.exit(2);
}
const db = new BetterSqlite3(config.dbPath, { readonly: true, fileMustExist: true });
db.pragma('busy_timeout = 5000');
const backups = new DbBackups({ db, dir: config.backupDir, keep: config.backupKeep, logger: pino({ name: 'backup' }) });
try {
  console.log(await backups.backupNow());
} finally {
  db.close();
}
