/**
 * Schedules the system keeps on the Temporal server. The API ensures them when it starts: creating one that exists
 * changes nothing, so every API replica may do it.
 */
import type { Client } from '@temporalio/client';
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy } from '@temporalio/client';
import type { AppLogger } from './logger';

/** L. 68/1999 art. 9 c.6: the annual-return campaign opens on 2 January, 06:00 Rome time, every year. */
export const L68_CAMPAIGN_SCHEDULE = 'l68-annual-return-campaign';

/** The read model's reconciler (workflows/reconciler.ts): every 30 seconds, so a failed case shows within a minute. */
export const RECONCILER_SCHEDULE = 'read-model-reconciler';

export async function ensureSchedules(client: Client, taskQueue: string, logger: AppLogger): Promise<void> {
  await ensureReconciler(client, taskQueue, logger);
  try {
    await client.schedule.create({
      scheduleId: L68_CAMPAIGN_SCHEDULE,
      spec: {
        calendars: [
          { month: 'JANUARY', dayOfMonth: 2, hour: 6, minute: 0, comment: 'L. 68/1999 art. 9 c.6 campaign' },
        ],
        timezone: 'Europe/Rome',
      },
      action: {
        type: 'startWorkflow',
        workflowType: 'campagnaProspettiL68',
        workflowId: 'l68-campaign',
        taskQueue,
        args: [{}],
      },
      // A campaign missed while the server was down still runs when it comes back within the month.
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '30 days' },
      memo: { purpose: 'Opens the year’s L. 68/1999 obligation cases every January' },
    });
    logger.info('schedule created', { scheduleId: L68_CAMPAIGN_SCHEDULE });
  } catch (err) {
    if (err instanceof ScheduleAlreadyRunning) return;
    // The time-skipping test server has no schedules: the system runs without the campaign timer there.
    logger.warn('could not ensure the schedules', {
      scheduleId: L68_CAMPAIGN_SCHEDULE,
      error: err instanceof Error ? err.message : String(err),
    });
  }
}

async function ensureReconciler(client: Client, taskQueue: string, logger: AppLogger): Promise<void> {
  try {
    await client.schedule.create({
      scheduleId: RECONCILER_SCHEDULE,
      spec: { intervals: [{ every: '30 seconds' }] },
      action: {
        type: 'startWorkflow',
        workflowType: 'reconcileReadModel',
        workflowId: 'read-model-reconciler',
        taskQueue,
        args: [],
      },
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 minute' },
      memo: { purpose: 'Marks failed the cases Temporal stopped, and rewrites read models left behind' },
    });
    logger.info('schedule created', { scheduleId: RECONCILER_SCHEDULE });
  } catch (err) {
    if (err instanceof ScheduleAlreadyRunning) return;
    logger.warn('could not ensure the schedules', {
      scheduleId: RECONCILER_SCHEDULE,
      error: err instanceof Error ? err.message : String(err),
    });
  }
}
