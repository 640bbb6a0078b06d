/**
 * The January campaign of the annual returns (L. 68/1999 art. 9 c.6): a Temporal Schedule starts this workflow
 * every January (platform/schedules.ts); it opens the year's obligation case of every employer that had one last
 * year, carrying last year's situation over, so that a missing return can be told from "nothing changed".
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { startChild } from '@temporalio/workflow';
import type { CaseStart } from '../domain/case-model';
import { SYSTEM } from '../domain/case-model';
import { romeDate } from '../domain/dates';
import { yearOf } from '../domain/procedures/l68-enrolment';
import { L68O_CODE, l68ObligationCaseId } from '../domain/procedures/l68-obligation';
import { caseActivities } from './kernel';
import type { obbligoCollocamentoMirato } from './l68-obligation';

const { l68CampaignEmployers, officeSnapshot } = caseActivities;

export interface CampaignResult {
  year: number;
  opened: { caseId: string; employer: string; office: string }[];
}

export async function campagnaProspettiL68(args: { year?: number } = {}): Promise<CampaignResult> {
  const year = args.year ?? yearOf(romeDate(Date.now()));
  const entries = await l68CampaignEmployers({ year });
  const opened: CampaignResult['opened'] = [];
  for (const e of entries) {
    const snapshot = await officeSnapshot({ office: e.office });
    // The business key is the id: one case per employer and year, which the server itself keeps unique.
    const caseId = l68ObligationCaseId(year, e.input.employer.taxCode);
    const start: CaseStart = {
      caseId,
      procedure: L68O_CODE,
      office: e.office,
      ...snapshot,
      input: e.input,
      openedBy: SYSTEM,
    };
    try {
      await startChild<typeof obbligoCollocamentoMirato>('obbligoCollocamentoMirato', {
        workflowId: caseId,
        args: [start],
        parentClosePolicy: 'ABANDON',
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
      });
    } catch (err) {
      // A campaign run again (or retried) finds the employer's case of the year: it is not opened twice.
      if (err instanceof WorkflowExecutionAlreadyStartedError) continue;
      throw err;
    }
    opened.push({ caseId, employer: e.input.employer.taxCode, office: e.office });
  }
  return { year, opened };
}
