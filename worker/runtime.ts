import { Runtime, makeTelemetryFilterString } from '@temporalio/worker';
import type { AppLogger } from '../platform/logger';
import { temporalLogger } from '../platform/logger';

let installed = false;

/** Routes the SDK's and the core's logs to the process logger (once per process). */
export function installTemporalRuntime(logger: AppLogger, opts: { handleSignals?: boolean } = {}): void {
  if (installed) return;
  installed = true;
  Runtime.install({
    logger: temporalLogger(logger),
    // A process that stops more than the worker (the dev stack) handles the signals itself.
    ...(opts.handleSignals === false ? { shutdownSignals: [] } : {}),
    telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'WARN' }), forward: {} } },
  });
}
