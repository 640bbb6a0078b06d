import winston from 'winston';
import type { LogLevel, LogMetadata } from '@temporalio/common';
import type { Logger as TemporalLogger } from '@temporalio/common';

export type AppLogger = winston.Logger;

const SECRET_KEYS = /authorization|password|secret|token|jwt/i;

/** Drops values of keys that look secret, at any depth, so that no secret reaches a log line. */
const redact = winston.format((info) => {
  const scrub = (v: unknown, depth: number): unknown => {
    if (depth > 5 || v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) return v.map((x) => scrub(x, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
      out[k] = SECRET_KEYS.test(k) ? '[redacted]' : scrub(val, depth + 1);
    }
    return out;
  };
  for (const key of Object.keys(info)) {
    if (SECRET_KEYS.test(key)) info[key] = '[redacted]';
    else info[key] = scrub(info[key], 0);
  }
  return info;
});

export function createLogger(opts: { level: string; format: 'json' | 'pretty'; service: string }): AppLogger {
  // Lines below the logger's level are dropped before any formatting (the redaction walks every object).
  const made: { logger?: AppLogger } = {};
  const enabled = winston.format((info) =>
    made.logger?.isLevelEnabled(info.level) === false ? false : info,
  );
  const format =
    opts.format === 'json'
      ? winston.format.combine(enabled(), redact(), winston.format.timestamp(), winston.format.json())
      : winston.format.combine(
          enabled(),
          redact(),
          winston.format.timestamp({ format: 'HH:mm:ss.SSS' }),
          winston.format.colorize(),
          winston.format.printf(({ timestamp, level, message, service, ...rest }) => {
            const meta = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : '';
            return `${String(timestamp)} ${level} [${String(service)}] ${String(message)}${meta}`;
          }),
        );
  const logger = winston.createLogger({
    level: opts.level,
    defaultMeta: { service: opts.service },
    format,
    transports: [new winston.transports.Console()],
  });
  made.logger = logger;
  return logger;
}

const LEVELS: Record<LogLevel, string> = {
  TRACE: 'debug',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/** Adapts winston to the Temporal SDK logger, so workflow, activity and core logs share one sink (style.md §13). */
export function temporalLogger(logger: AppLogger): TemporalLogger {
  const log = (level: LogLevel, message: string, meta?: LogMetadata): void => {
    const { workflowId, ...rest } = (meta ?? {}) as Record<string, unknown>;
    // Workflow ids are case ids: name them so on every line.
    logger.log(LEVELS[level], message, workflowId !== undefined ? { caseId: workflowId, ...rest } : rest);
  };
  return {
    log,
    trace: (m, meta) => log('TRACE', m, meta),
    debug: (m, meta) => log('DEBUG', m, meta),
    info: (m, meta) => log('INFO', m, meta),
    warn: (m, meta) => log('WARN', m, meta),
    error: (m, meta) => log('ERROR', m, meta),
  };
}
