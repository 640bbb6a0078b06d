/**
 * The remote codec endpoint (Temporal's codec-server protocol): `POST /v1/codec/decode` and `/v1/codec/encode`
 * take `{payloads: [{metadata, data}]}` with base64 values and answer the same shape. The Temporal UI (configured
 * with this endpoint and the operator's access token) and the CLI (`--codec-endpoint … --codec-auth "Bearer …"`)
 * then show case payloads in clear to administrators, and to nobody else: the history itself holds ciphertext only
 * (platform/payload-codec.ts). Every decode is written to the administrators' audit trail (GDPR art. 30).
 */
import type { Payload } from '@temporalio/common';
import type { Express, Request, RequestHandler, Response } from 'express';
import { z } from 'zod';
import type { EncryptionCodec } from '../platform/payload-codec';
import { requireRole } from './auth';
import type { RouteSpec } from './route-table';
import { HttpProblem, parse } from './problem';

const base64 = z
  .string()
  .max(8_000_000)
  .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64');

const wirePayload = z
  .object({
    metadata: z.record(z.string().min(1).max(200), base64).optional(),
    data: base64.optional(),
  })
  .strict();

// An empty list is left out of the JSON by the Temporal CLI's protobuf encoder: `{}` means no payloads.
export const codecBody = z.object({ payloads: z.array(wirePayload).max(1000).default([]) }).strict();

type WirePayload = z.infer<typeof wirePayload>;

function fromWire(p: WirePayload): Payload {
  return {
    metadata: Object.fromEntries(
      Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')]),
    ),
    data: Buffer.from(p.data ?? '', 'base64'),
  };
}

function toWire(p: Payload): WirePayload {
  return {
    metadata: Object.fromEntries(
      Object.entries(p.metadata ?? {}).map(([k, v]) => [
        k,
        Buffer.from(v ?? new Uint8Array()).toString('base64'),
      ]),
    ),
    data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
  };
}

export interface CodecRoutes {
  codec: EncryptionCodec;
  /** Browser origins (the Temporal UI) allowed to call the endpoint. */
  corsOrigins: readonly string[];
}

/** Answers the browser's preflight for the allowed origins, before authentication (a preflight carries no token). */
export function mountCodecCors(app: Express, opts: CodecRoutes): void {
  app.use('/v1/codec', (req, res, next) => {
    const origin = req.header('origin');
    if (origin && opts.corsOrigins.includes(origin)) {
      res.set('Access-Control-Allow-Origin', origin);
      res.set('Vary', 'Origin');
      res.set('Access-Control-Allow-Credentials', 'true');
      res.set('Access-Control-Allow-Headers', 'authorization, content-type, x-namespace');
      res.set('Access-Control-Allow-Methods', 'POST, OPTIONS');
      res.set('Access-Control-Max-Age', '600');
    }
    if (req.method === 'OPTIONS') {
      res.status(204).end();
      return;
    }
    next();
  });
}

export function mountCodecRoutes(
  on: (spec: RouteSpec, handler: RequestHandler) => void,
  specs: { decode: RouteSpec; encode: RouteSpec },
  opts: CodecRoutes & {
    audit: (req: Request, action: string, target: string, details: Record<string, unknown>) => Promise<void>;
  },
): void {
  const run = (direction: 'encode' | 'decode') => async (req: Request, res: Response) => {
    requireRole(req, ['admin'], `${direction} Temporal payloads`);
    const body = parse(codecBody, req.body);
    const namespace = req.header('x-namespace') ?? 'default';
    let out: Payload[];
    try {
      const payloads = body.payloads.map(fromWire);
      out = direction === 'decode' ? await opts.codec.decode(payloads) : await opts.codec.encode(payloads);
    } catch (err) {
      // A payload this API's keys cannot open (another key, altered bytes): the caller's input, not our fault.
      throw new HttpProblem(
        422,
        'payload-not-decodable',
        'Payload cannot be decoded',
        (err as Error).message,
      );
    }
    if (direction === 'decode' && body.payloads.length > 0)
      await opts.audit(req, 'payloads-decoded', namespace, { payloads: body.payloads.length });
    res.json({ payloads: out.map(toWire) });
  };
  on(specs.decode, run('decode'));
  on(specs.encode, run('encode'));
}
