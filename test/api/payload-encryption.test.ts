/**
 * Personal data stays protected in the engine (issue 12 §7): on the real stack, with the API and the worker
 * encrypting, a case's raw history as Temporal stores it holds no tax code, name or disability percentage in clear;
 * administrators, and only they, read it through the codec endpoint; the encrypted history replays.
 */
import { Worker } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import request from 'supertest';
import type { CaseView } from '../../domain/case-model';
import { romeDate } from '../../domain/dates';
import { dataConverterOf } from '../../platform/payload-codec';
import type { ApiStack } from '../support/api-env';
import { CODEC_UI_ORIGIN, PAYLOAD_KEYS, principals, readCaseUntil, startApiStack } from '../support/api-env';
import { enrolmentInput } from '../support/wage-inputs';

let s: ApiStack;
beforeAll(async () => {
  s = await startApiStack();
}, 120_000);
afterAll(() => s?.close());

const auth = (p: keyof typeof principals) => ({ Authorization: `Bearer ${s.token(principals[p])}` });
const TAX_CODE = 'VRDLGU85E05E715K';
const NAME = 'Luigi Verdi Riservato';

type WirePayload = { metadata: Record<string, string>; data: string };
const toWire = (p: temporal.api.common.v1.IPayload): WirePayload => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
  ),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});

async function rawHistory(caseId: string): Promise<temporal.api.history.v1.IHistory> {
  const res = await s.client.workflowService.getWorkflowExecutionHistory({
    namespace: 'default',
    execution: { workflowId: caseId },
  });
  return res.history ?? {};
}

describe('payload encryption on the real stack', () => {
  let caseId: string;
  beforeAll(async () => {
    const day = romeDate(Date.now());
    const res = await request(s.app)
      .post('/v1/cases')
      .set(auth('lucca'))
      .send({ procedure: 'L68I', office: 'lucca', input: enrolmentInput(TAX_CODE, NAME, 67, day) });
    expect(res.status).toBe(201);
    caseId = (res.body as CaseView).caseId;
    const task = (res.body as CaseView).tasks.find((t) => t.key === 'l68-check-documents')!;
    const done = await request(s.app)
      .post(`/v1/tasks/${task.taskId}/complete`)
      .set(auth('lucca'))
      .send({ outcome: 'confirmed', data: {} });
    expect(done.status).toBe(200);
    await readCaseUntil(s, caseId, principals.lucca, (c) => c.facts.status === 'enrolled');
  });

  it('when a case holds a tax code and a disability percentage, then its raw history has neither in clear', async () => {
    const history = await rawHistory(caseId);
    expect(history.events?.length).toBeGreaterThan(5);
    const bytes = Buffer.from(temporal.api.history.v1.History.encode(history).finish());
    for (const secret of [TAX_CODE, NAME, 'percentage', 'civil-invalid', 'isee'])
      expect(bytes.includes(secret)).toBe(false);
    // The same search finds them once the history is decoded: it is a search that can fail.
    const started = history.events![0]!.workflowExecutionStartedEventAttributes!;
    const [opened] = await dataConverterOf(PAYLOAD_KEYS).payloadCodecs![0]!.decode(started.input!.payloads!);
    const clear = Buffer.from(opened!.data!).toString('utf8');
    expect(clear).toContain(TAX_CODE);
    expect(clear).toContain('"percentage":67');
  });

  it('when an administrator asks the codec endpoint, then the payloads come back in clear, and the read is audited', async () => {
    const history = await rawHistory(caseId);
    const payloads =
      history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads!.map(toWire);
    const res = await request(s.app)
      .post('/v1/codec/decode')
      .set(auth('admin'))
      .set('X-Namespace', 'default')
      .send({ payloads });
    expect(res.status).toBe(200);
    const out = (res.body as { payloads: WirePayload[] }).payloads;
    expect(Buffer.from(out[0]!.metadata.encoding!, 'base64').toString()).toBe('json/plain');
    expect(Buffer.from(out[0]!.data, 'base64').toString()).toContain(TAX_CODE);
    const audit = await request(s.app).get('/v1/admin/audit').set(auth('admin'));
    expect((audit.body as { items: { action: string; target: string }[] }).items[0]).toMatchObject({
      action: 'payloads-decoded',
      target: 'default',
    });
    // Encoding answers the codec's own shape, which decodes back.
    const enc = await request(s.app).post('/v1/codec/encode').set(auth('admin')).send({ payloads: out });
    expect(enc.status).toBe(200);
    const sealed = (enc.body as { payloads: WirePayload[] }).payloads;
    expect(Buffer.from(sealed[0]!.data, 'base64').includes(TAX_CODE)).toBe(false);
  });

  it('when someone else asks, or sends what the keys cannot open, then nothing is decoded', async () => {
    const history = await rawHistory(caseId);
    const payloads =
      history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads!.map(toWire);
    const anonymous = await request(s.app).post('/v1/codec/decode').send({ payloads });
    expect(anonymous.status).toBe(401);
    const officer = await request(s.app).post('/v1/codec/decode').set(auth('lucca')).send({ payloads });
    expect(officer.status).toBe(403);
    expect(officer.type).toBe('application/problem+json');
    const altered = { ...payloads[0]!, data: Buffer.from('not what was sealed, at all').toString('base64') };
    const bad = await request(s.app)
      .post('/v1/codec/decode')
      .set(auth('admin'))
      .send({ payloads: [altered] });
    expect(bad.status).toBe(422);
    expect((bad.body as { type: string }).type).toMatch(/payload-not-decodable/);
    // The Temporal CLI sends `{}` for no payloads (protobuf JSON leaves an empty list out).
    const none = await request(s.app).post('/v1/codec/decode').set(auth('admin')).send({});
    expect([none.status, none.body]).toEqual([200, { payloads: [] }]);
    const malformed = await request(s.app)
      .post('/v1/codec/decode')
      .set(auth('admin'))
      .send({ payloads: [{ data: 'not base64!' }] });
    expect(malformed.status).toBe(400);
  });

  it('when the Temporal UI asks from its origin, then the preflight lets it in; another origin is not named', async () => {
    const pre = await request(s.app)
      .options('/v1/codec/decode')
      .set('Origin', CODEC_UI_ORIGIN)
      .set('Access-Control-Request-Method', 'POST');
    expect(pre.status).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe(CODEC_UI_ORIGIN);
    expect(pre.headers['access-control-allow-headers']).toMatch(/authorization/);
    const other = await request(s.app)
      .options('/v1/codec/decode')
      .set('Origin', 'https://elsewhere.example')
      .set('Access-Control-Request-Method', 'POST');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('when the encrypted history is replayed with the keys, then the workflow code reproduces it', async () => {
    const history = await s.client.workflow.getHandle(caseId).fetchHistory();
    await expect(
      Worker.runReplayHistory(
        { workflowBundle: s.bundle, dataConverter: dataConverterOf(PAYLOAD_KEYS) },
        history,
      ),
    ).resolves.toBeUndefined();
  });
});
