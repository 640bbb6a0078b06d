import { Runtime, makeTelemetryFilterString } from '@temporalio/worker';
import type { AppLogger } from '../platform/logger';
import { temporalLogger } from '../platform/logger';

let installed = false;

/** Routes the SDK's and the core's logs to the process logger (once per process). */
export function installTemporalRuntime(logger: AppLogger): void {
  if (installed) return;
  installed = true;
  Runtime.install({
    logger: temporalLogger(logger),
    telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'WARN' }), forward: {} } },
  });
}
