/**
 * Registers the cases' search attributes (workflows/search-attributes.ts) on the Temporal server, once, from the
 * API and the worker at start: adding those that are missing changes nothing for the others. A server that does
 * not take them (the time-skipping test server, a namespace the process may not change) is logged, and cases then
 * start without them.
 */
import type { Client } from '@temporalio/client';
import type { TypedSearchAttributes } from '@temporalio/common';
import { TypedSearchAttributes as Typed } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import {
  CASE_OFFICE,
  CASE_PROCEDURE,
  CASE_SEARCH_ATTRIBUTES,
  CASE_STATUS,
} from '../workflows/search-attributes';
import type { AppLogger } from './logger';

const KEYWORD = temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;

/** Adds the attributes the namespace lacks; answers whether all of them are there. */
export async function ensureSearchAttributes(client: Client, logger: AppLogger): Promise<boolean> {
  const namespace = client.options.namespace;
  try {
    const have = await client.connection.operatorService.listSearchAttributes({ namespace });
    const known = { ...have.customAttributes, ...have.systemAttributes };
    const missing = CASE_SEARCH_ATTRIBUTES.filter((k) => !(k.name in known));
    if (missing.length > 0) {
      await client.connection.operatorService.addSearchAttributes({
        namespace,
        searchAttributes: Object.fromEntries(missing.map((k) => [k.name, KEYWORD])),
      });
      logger.info('search attributes registered', { names: missing.map((k) => k.name) });
    }
    return true;
  } catch (err) {
    logger.warn('cases start without search attributes: the server did not take them', {
      error: err instanceof Error ? err.message : String(err),
    });
    return false;
  }
}

/** The attributes a case starts with: its procedure and office, and its first status. */
export function caseSearchAttributes(procedure: string, office: string): TypedSearchAttributes {
  return new Typed([
    { key: CASE_PROCEDURE, value: procedure },
    { key: CASE_OFFICE, value: office },
    { key: CASE_STATUS, value: 'open' },
  ]);
}
