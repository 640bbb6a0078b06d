/**
 * The search attributes of every case workflow (issue 13 §6), so that operators filter cases in the Temporal UI
 * and CLI (`CpiProcedure = 'CIGO' AND CpiOffice = 'lucca' AND CpiStatus = 'open'`). Procedure and office are set
 * when the case starts; the status follows the case (the kernel upserts it when it changes). A server without
 * them registered (the time-skipping test server) runs cases without them: the starter leaves them out.
 */
import { SearchAttributeType, defineSearchAttributeKey } from '@temporalio/common';

export const CASE_PROCEDURE = defineSearchAttributeKey('CpiProcedure', SearchAttributeType.KEYWORD);
export const CASE_OFFICE = defineSearchAttributeKey('CpiOffice', SearchAttributeType.KEYWORD);
export const CASE_STATUS = defineSearchAttributeKey('CpiStatus', SearchAttributeType.KEYWORD);

export const CASE_SEARCH_ATTRIBUTES = [CASE_PROCEDURE, CASE_OFFICE, CASE_STATUS] as const;
