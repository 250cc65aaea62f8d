import { configFromEnv } from './config.ts';
import { createLogger } from './logger.ts';
import { Relay } from './app.ts';

/** Process entry: start the relay from HELPPOINT_* variables; stop cleanly on SIGINT/SIGTERM. */
const config = configFromEnv(process.env);
const logger = createLogger(config.logLevel);
const relay = await Relay.create(config, logger);
const url = await relay.listen(config.host, config.port);
logger.info({ url, db: config.dbPath, workers: config.numWorkers }, 'relay listening');
if (process.send) process.send({ type: 'ready', url });

let stopping = false;
const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'stopping');
  relay.close().then(
    () => process.exit(0),
    (err: unknown) => {
      logger.error({ err }, 'unclean shutdown');
      process.exit(1);
    },
  );
};
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => stop(signal));
// Started by a script over IPC (demo, tests, benchmarks): a parent that died must not leave the relay running.
if (process.send) process.on('disconnect', () => stop('parent_gone'));
