/**
 * Webhook subscriptions (issue 13 §3): integrators and administrators subscribe a callback URL to the events of
 * their scope, narrowed by event type, procedure and office. Each subscription has its dispatcher workflow
 * (workflows/webhooks.ts), which delivers the events in feed order, signed per the Standard Webhooks
 * specification; its deliveries are listed with their attempts, and it is redelivered from a feed position.
 */
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { Request, RequestHandler } from 'express';
import { ulid } from 'ulid';
import { z } from 'zod';
import { CASE_EVENT_TYPES } from '../domain/case-model';
import { PROCEDURES } from '../domain/catalogue';
import { OFFICE_CODES } from '../domain/offices';
import { text } from '../domain/schemas';
import type { Db, DeliveryDoc, SubscriptionDoc } from '../platform/db';
import { feedEnd, positionBefore, positionKey } from '../platform/feed';
import type { PayloadKeys } from '../platform/payload-codec';
import { sealSecret } from '../platform/payload-codec';
import type { UrlPolicy } from '../platform/webhooks';
import { callbackUrlProblem, dispatcherId, newWebhookSecret } from '../platform/webhooks';
import { redeliverSignal, stopSignal } from '../workflows/messages';
import type { DispatcherInput } from '../workflows/webhooks';
import type { Principal } from './auth';
import { requireRole } from './auth';
import { feedPosition } from './contracts';
import { parse, problems } from './problem';
import type { RouteSpec } from './route-table';

const OWNERS = ['integrator', 'admin'] as const;
/** Subscriptions one principal may hold: enough for a system per procedure, not a way to fan out load. */
export const MAX_SUBSCRIPTIONS_PER_OWNER = 20;
/** How long the previous secret keeps signing after a rotation, unless told otherwise. */
const DEFAULT_OVERLAP_HOURS = 24;

export const subscriptionIdParam = z
  .string()
  .regex(/^sub_[0-9A-HJKMNP-TV-Z]{26}$/, 'a subscription id: sub_<ULID>');

const procedureCodes = PROCEDURES.map((p) => p.code) as [string, ...string[]];

export const subscriptionCreateBody = z
  .object({
    url: z
      .url({ protocol: /^https?$/, error: 'an http or https URL' })
      .max(2000)
      .meta({ description: 'Where events are POSTed; https, to a public address, in production' }),
    description: text(200).optional(),
    types: z
      .array(z.enum(CASE_EVENT_TYPES))
      .max(CASE_EVENT_TYPES.length)
      .default([])
      .meta({ description: 'Event types to receive; empty: all' }),
    procedures: z
      .array(z.enum(procedureCodes))
      .max(procedureCodes.length)
      .default([])
      .meta({ description: 'Procedures whose cases to follow; empty: all in your scope' }),
    offices: z
      .array(z.enum(OFFICE_CODES as [string, ...string[]]))
      .max(OFFICE_CODES.length)
      .default([])
      .meta({ description: 'Offices whose cases to follow; empty: all in your scope' }),
    from: feedPosition
      .optional()
      .meta({ description: 'Deliver from this feed position on (inclusive); absent: only events from now' }),
  })
  .strict();

export const rotateSecretBody = z
  .object({
    overlapHours: z.int().min(0).max(720).default(DEFAULT_OVERLAP_HOURS).meta({
      description: 'How long the previous secret keeps signing too (deliveries carry both signatures)',
    }),
  })
  .strict();

export const redeliverBody = z
  .object({ from: feedPosition.meta({ description: 'The feed position to deliver again from (inclusive)' }) })
  .strict();

export const deliveriesQuery = z
  .object({
    status: z.enum(['retrying', 'delivered', 'failed']).optional(),
    cursor: feedPosition.optional().meta({ description: 'The nextCursor of a previous page' }),
    limit: z.coerce.number().int().min(1).max(100).default(20),
  })
  .strict();

const instant = z.string().meta({ format: 'date-time' });

export const subscriptionView = z.object({
  subscriptionId: z.string(),
  url: z.string(),
  description: z.string().nullable(),
  types: z.array(z.string()),
  procedures: z.array(z.string()),
  offices: z.array(z.string()),
  owner: z.object({ sub: z.string(), role: z.string() }),
  status: z.enum(['active', 'parked']),
  cursor: z.string().nullable().meta({ description: 'The last feed position handled' }),
  delivered: z.int(),
  parked: z
    .object({
      position: z.string().nullable(),
      eventId: z.string().nullable(),
      at: instant,
      reason: z.string(),
    })
    .nullable(),
  secrets: z.array(z.object({ id: z.string(), createdAt: instant, expiresAt: instant.nullable() })),
  createdAt: instant,
  updatedAt: instant,
});

export const subscriptionWithSecret = subscriptionView.extend({
  secret: z.string().meta({ description: 'The signing secret (whsec_…): shown in this answer only' }),
});

export const deliveryView = z.object({
  position: z.string(),
  eventId: z.string(),
  caseId: z.string(),
  type: z.string(),
  status: z.enum(['retrying', 'delivered', 'failed']),
  attemptCount: z.int(),
  attempts: z.array(
    z.object({
      attempt: z.int(),
      at: instant,
      status: z.int().nullable(),
      error: z.string().nullable(),
      durationMs: z.number(),
    }),
  ),
  nextAttemptAt: instant.nullable(),
  deliveredAt: instant.nullable(),
  firstAttemptAt: instant,
  lastAttemptAt: instant,
});

export const deliveriesPage = z.object({
  items: z.array(deliveryView),
  nextCursor: z.string().nullable(),
  hasMore: z.boolean(),
});

function viewOf(d: SubscriptionDoc): z.infer<typeof subscriptionView> {
  return {
    subscriptionId: d._id,
    url: d.url,
    description: d.description,
    ...d.filters,
    owner: { sub: d.owner.sub, role: d.owner.role },
    status: d.status === 'parked' ? 'parked' : 'active',
    cursor: d.cursor,
    delivered: d.delivered,
    parked: d.parked,
    secrets: d.secrets.map((s) => ({ id: s.id, createdAt: s.createdAt, expiresAt: s.expiresAt })),
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
  };
}

function deliveryOf(d: DeliveryDoc): z.infer<typeof deliveryView> {
  const { _id: _i, subscriptionId: _s, ...rest } = d;
  return rest;
}

export interface SubscriptionRoutes {
  create: RouteSpec;
  list: RouteSpec;
  get: RouteSpec;
  remove: RouteSpec;
  rotate: RouteSpec;
  deliveries: RouteSpec;
  redeliver: RouteSpec;
}

export function mountSubscriptionRoutes(
  on: (spec: RouteSpec, handler: RequestHandler) => void,
  specs: SubscriptionRoutes,
  deps: {
    db: Db;
    temporal: Client;
    taskQueue: string;
    urls: UrlPolicy;
    payloadKeys?: PayloadKeys;
    audit: (req: Request, action: string, target: string, details: Record<string, unknown>) => Promise<void>;
  },
): void {
  const { db } = deps;

  /** The subscription, if the caller may see it (its owner, or an administrator); 404 otherwise. */
  const owned = async (p: Principal, id: string): Promise<SubscriptionDoc> => {
    const doc = await db.subscriptions.findById(id).lean();
    if (!doc || doc.status === 'deleted' || (p.role !== 'admin' && doc.owner.sub !== p.sub))
      throw problems.notFound(`Subscription ${id}`);
    return doc;
  };
  const startDispatcher = async (subscriptionId: string): Promise<void> => {
    const input: DispatcherInput = { subscriptionId };
    await deps.temporal.workflow.start('webhookDispatcher', {
      workflowId: dispatcherId(subscriptionId),
      taskQueue: deps.taskQueue,
      args: [input],
      // A dispatcher already running is the one: made once, whoever asks again.
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
  };
  const newSecret = (): { secret: string; row: SubscriptionDoc['secrets'][number] } => {
    const secret = newWebhookSecret();
    return {
      secret,
      row: {
        id: `sec_${ulid()}`,
        sealed: sealSecret(deps.payloadKeys, secret),
        createdAt: new Date().toISOString(),
        expiresAt: null,
      },
    };
  };

  on(specs.create, async (req, res) => {
    const p = requireRole(req, OWNERS, 'subscribe to events');
    const body = parse(subscriptionCreateBody, req.body);
    const problem = await callbackUrlProblem(body.url, deps.urls);
    if (problem)
      throw problems.refused('callback-url', `The callback URL ${problem}.`, {
        errors: [{ path: 'url', message: problem }],
      });
    if (p.role === 'integrator' && p.procedures) {
      const outside = body.procedures.filter((c) => !p.procedures?.includes(c));
      if (outside.length > 0)
        throw problems.forbidden(`Your key does not cover the procedures ${outside.join(', ')}.`);
    }
    const held = await db.subscriptions.countDocuments({ 'owner.sub': p.sub, status: { $ne: 'deleted' } });
    if (held >= MAX_SUBSCRIPTIONS_PER_OWNER)
      throw problems.conflict(
        'too-many-subscriptions',
        `You hold ${held} subscriptions, the most one principal may: delete one first.`,
      );
    // From now (the last position written for good), or from the position asked for.
    const upTo = await feedEnd(db);
    const cursor = body.from ? positionBefore(body.from) : upTo > 0 ? positionKey(upTo - 1) : null;
    const { secret, row } = newSecret();
    const now = new Date().toISOString();
    const doc: SubscriptionDoc = {
      _id: `sub_${ulid()}`,
      owner: {
        sub: p.sub,
        role: p.role,
        offices: p.offices,
        ...(p.procedures ? { procedures: p.procedures } : {}),
      },
      url: body.url,
      description: body.description ?? null,
      filters: { types: body.types, procedures: body.procedures, offices: body.offices },
      secrets: [row],
      status: 'active',
      cursor,
      delivered: 0,
      parked: null,
      createdAt: now,
      updatedAt: now,
    };
    await db.subscriptions.create(doc);
    await startDispatcher(doc._id);
    await deps.audit(req, 'subscription-created', doc._id, { url: doc.url, filters: doc.filters });
    req.log.info('subscription created', { subscriptionId: doc._id });
    res
      .status(201)
      .setHeader('Cache-Control', 'no-store')
      .setHeader('Location', `/v1/subscriptions/${doc._id}`)
      .json({ ...viewOf(doc), secret });
  });

  on(specs.list, async (req, res) => {
    const p = requireRole(req, OWNERS, 'list subscriptions');
    const filter: Record<string, unknown> = { status: { $ne: 'deleted' } };
    if (p.role !== 'admin') filter['owner.sub'] = p.sub;
    const docs = await db.subscriptions.find(filter).sort({ _id: -1 }).limit(500).batchSize(501).lean();
    res.json({ items: docs.map(viewOf) });
  });

  on(specs.get, async (req, res) => {
    const p = requireRole(req, OWNERS, 'read subscriptions');
    res.json(viewOf(await owned(p, parse(subscriptionIdParam, req.params.id, ['id']))));
  });

  on(specs.remove, async (req, res) => {
    const p = requireRole(req, OWNERS, 'delete subscriptions');
    const doc = await owned(p, parse(subscriptionIdParam, req.params.id, ['id']));
    await db.subscriptions.updateOne(
      { _id: doc._id },
      { $set: { status: 'deleted', updatedAt: new Date().toISOString() } },
    );
    try {
      await deps.temporal.workflow.getHandle(dispatcherId(doc._id)).signal(stopSignal);
    } catch (err) {
      // No dispatcher running: it would stop by itself on reading the subscription.
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
    await deps.audit(req, 'subscription-deleted', doc._id, { url: doc.url });
    res.status(204).end();
  });

  on(specs.rotate, async (req, res) => {
    const p = requireRole(req, OWNERS, 'rotate subscription secrets');
    const doc = await owned(p, parse(subscriptionIdParam, req.params.id, ['id']));
    const body = parse(rotateSecretBody, req.body ?? {});
    const { secret, row } = newSecret();
    const now = Date.now();
    // The newest secret signs from now on; the one before it keeps signing for the overlap, older ones end now.
    const previous = doc.secrets[0];
    const secrets = [
      row,
      ...(previous && body.overlapHours > 0
        ? [{ ...previous, expiresAt: new Date(now + body.overlapHours * 3_600_000).toISOString() }]
        : []),
    ];
    const updatedAt = new Date(now).toISOString();
    await db.subscriptions.updateOne({ _id: doc._id }, { $set: { secrets, updatedAt } });
    await deps.audit(req, 'subscription-secret-rotated', doc._id, { overlapHours: body.overlapHours });
    res
      .status(201)
      .setHeader('Cache-Control', 'no-store')
      .json({ ...viewOf({ ...doc, secrets, updatedAt }), secret });
  });

  on(specs.deliveries, async (req, res) => {
    const p = requireRole(req, OWNERS, 'read deliveries');
    const doc = await owned(p, parse(subscriptionIdParam, req.params.id, ['id']));
    const q = parse(deliveriesQuery, req.query);
    // Keys are `<subscriptionId>:<position>`: a range of `_id` is this subscription's, in feed order.
    const range: Record<string, string> = { $lt: `${doc._id};` };
    range.$gt = q.cursor ? `${doc._id}:${q.cursor}` : `${doc._id}:`;
    const rows = await db.deliveries
      .find({ _id: range, ...(q.status ? { status: q.status } : {}) })
      .sort({ _id: 1 })
      .limit(q.limit + 1)
      .batchSize(q.limit + 2)
      .lean();
    const page = rows.slice(0, q.limit);
    const hasMore = rows.length > q.limit;
    res.json({
      items: page.map(deliveryOf),
      nextCursor: hasMore ? (page[page.length - 1]?.position ?? null) : null,
      hasMore,
    });
  });

  on(specs.redeliver, async (req, res) => {
    const p = requireRole(req, OWNERS, 'redeliver events');
    const doc = await owned(p, parse(subscriptionIdParam, req.params.id, ['id']));
    const body = parse(redeliverBody, req.body);
    const updatedAt = new Date().toISOString();
    const cursor = positionBefore(body.from);
    await db.subscriptions.updateOne(
      { _id: doc._id },
      { $set: { status: 'active', parked: null, cursor, updatedAt } },
    );
    // Started again if it had ended (lost, or stopped by a fault): the signal reaches the new run.
    await deps.temporal.workflow.signalWithStart('webhookDispatcher', {
      workflowId: dispatcherId(doc._id),
      taskQueue: deps.taskQueue,
      args: [{ subscriptionId: doc._id } satisfies DispatcherInput],
      signal: redeliverSignal,
      signalArgs: [{ from: body.from }],
    });
    await deps.audit(req, 'subscription-redelivered', doc._id, { from: body.from });
    res.status(202).json(viewOf({ ...doc, status: 'active', parked: null, cursor, updatedAt }));
  });
}
