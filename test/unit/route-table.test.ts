import express from 'express';
import type { NextFunction, Request, Response } from 'express';
import request from 'supertest';
import { z } from 'zod';
import { HttpProblem } from '../../api/problem';
import { RouteTable, undeclaredPaths } from '../../api/route-table';

function appWith(table: RouteTable, answer: unknown): express.Express {
  const app = express();
  app.use(express.json());
  const router = express.Router();
  table.add(
    router,
    '/v1',
    {
      method: 'post',
      path: '/things/:id',
      operationId: 'makeThing',
      summary: 'x',
      tags: ['t'],
      params: z.object({ id: z.string().regex(/^\d+$/) }),
      body: z.object({ name: z.string().min(1) }).strict(),
      answers: { 200: { description: 'the thing', body: z.object({ id: z.string(), name: z.string() }) } },
    },
    (_req, res) => {
      res.json(answer);
    },
  );
  table.methodNotAllowed(router, '/v1');
  app.use('/v1', router);
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = err instanceof HttpProblem ? err.status : 500;
    res.status(status).json({ status, ...(err instanceof HttpProblem ? err.extensions : {}) });
  });
  return app;
}

describe('route table', () => {
  it('when inputs break the declared schemas, then 400 names the fields before the handler runs', async () => {
    const app = appWith(new RouteTable(), { id: '1', name: 'a' });
    const res = await request(app).post('/v1/things/x').send({ name: '', extra: 1 });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(['id']);
    expect((await request(app).post('/v1/things/1').send({ name: 'ok' })).status).toBe(200);
  });

  it('when answers are checked and one does not fit its declaration, then it is a 500, not a silent lie', async () => {
    const wrong = { id: 1 };
    expect(
      (await request(appWith(new RouteTable(), wrong)).post('/v1/things/1').send({ name: 'a' })).status,
    ).toBe(200);
    expect(
      (
        await request(appWith(new RouteTable({ checkAnswers: true }), wrong))
          .post('/v1/things/1')
          .send({ name: 'a' })
      ).status,
    ).toBe(500);
  });

  it('when a path is asked with a method it does not take, then 405 names those it takes', async () => {
    const res = await request(appWith(new RouteTable(), {})).delete('/v1/things/1');
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('POST, OPTIONS');
  });
});

describe('the answers check', () => {
  it('names the properties a closed object does not list, and none of a loose one or a record', () => {
    const closed = z.object({
      a: z.string(),
      inner: z.object({ b: z.int() }),
      rows: z.array(z.object({ c: z.int() })),
    });
    const sent = { a: 'x', extra: 1, inner: { b: 1, more: 2 }, rows: [{ c: 1 }, { c: 2, d: 3 }] };
    const parsed = closed.parse(sent);
    expect(undeclaredPaths(sent, parsed)).toEqual(['extra', 'inner.more', 'rows[1].d']);
    const open = z.looseObject({ a: z.string(), facts: z.record(z.string(), z.unknown()) });
    const loose = { a: 'x', other: true, facts: { any: { thing: 1 } } };
    expect(undeclaredPaths(loose, open.parse(loose))).toEqual([]);
  });
});
