import pino, { type Logger } from 'pino';

/** JSON logs to stdout (journald keeps them); secrets never reach them. */
export function createLogger(level: string, name = 'relay'): Logger {
  return pino({
    name,
    level,
    redact: { paths: ['password', '*.password', 'token', '*.token', 'cookie', '*.cookie', 'req.headers.cookie'], censor: '[redacted]' },
  });
}
