/**
 * The TypeScript client of the CPI casework API: openapi-fetch over the types generated from the route table
 * (`schema.d.ts`, by `npm run client`). Every path, parameter, body and answer is typed as the server declares it.
 *
 *   const api = createCpiClient({ baseUrl: 'https://cpi.example', apiKey: process.env.CPI_API_KEY });
 *   const { data, error } = await api.POST('/v1/cases', { body: { procedure: 'CIGO', office: 'lucca', input } });
 */
import createClient from 'openapi-fetch';
import type { Client } from 'openapi-fetch';
import type { paths } from './schema';

export type { components, operations, paths } from './schema';

export interface CpiClientOptions {
  baseUrl: string;
  /** A bearer token (the identity provider's, or an HS256 one in development). */
  token?: string;
  /** A machine's API key (POST /v1/api-keys). */
  apiKey?: string;
  /** Another fetch (tests, proxies). */
  fetch?: typeof globalThis.fetch;
}

export type CpiClient = Client<paths>;

export function createCpiClient(opts: CpiClientOptions): CpiClient {
  const headers: Record<string, string> = {};
  if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
  if (opts.apiKey) headers['X-API-Key'] = opts.apiKey;
  return createClient<paths>({
    baseUrl: opts.baseUrl,
    headers,
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
  });
}
