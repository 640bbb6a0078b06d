/**
 * The console's Italian labels cover every stable code the API answers (issue 14 §4): procedures, task keys and
 * outcomes, news types, event types, statuses, the problem slugs the document lists, and every step a workflow
 * sets (read from the workflows' source, through its stable code).
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { CASE_EVENT_TYPES } from '../../domain/case-model';
import { PROCEDURES } from '../../domain/catalogue';
import { stepCode } from '../../domain/codes';
import { STAGES } from '../../domain/procedures/take-in-charge';
import { buildOpenApi } from '../../api/openapi';
import { declaredRoutes } from '../../api/routes';

const it_ = JSON.parse(
  readFileSync(path.resolve(__dirname, '../../console/labels/it.json'), 'utf8'),
) as Record<string, Record<string, string>>;

function missing(section: string, codes: Iterable<string>): string[] {
  return [...new Set(codes)].filter((c) => it_[section]?.[c] === undefined).map((c) => `${section}.${c}`);
}

/** The steps the workflows set, as written in their source (`setStep('…')`, the stages, the L. 68 statuses). */
function stepsInSource(): string[] {
  const dir = path.resolve(__dirname, '../../workflows');
  const steps: string[] = ['opened', 'closed', 'withdrawn', ...STAGES];
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.ts'))) {
    const src = readFileSync(path.join(dir, f), 'utf8');
    for (const m of src.matchAll(/setStep\(\s*(['"`])([^'"`$]+?)(\$\{[^}]+\}[^'"`]*)?\1/g)) {
      steps.push(m[3] ? `${m[2]}${m[3].replace(/\$\{[^}]+\}/g, '1')}` : (m[2] as string));
    }
    for (const m of src.matchAll(/(?:awaiting|status\()\s*:?\s*'([^']+)'/g)) steps.push(m[1] as string);
  }
  return steps;
}

describe('the Italian labels', () => {
  it('when the catalogue, the events and the statuses are listed, then each has a label', () => {
    expect([
      ...missing(
        'procedures',
        PROCEDURES.map((p) => p.code),
      ),
      ...missing(
        'tasks',
        PROCEDURES.flatMap((p) => Object.keys(p.tasks)),
      ),
      ...missing(
        'outcomes',
        PROCEDURES.flatMap((p) => Object.values(p.tasks).flatMap((t) => Object.keys(t.outcomes))),
      ),
      ...missing(
        'news',
        PROCEDURES.flatMap((p) => Object.keys(p.news)),
      ),
      ...missing('events', CASE_EVENT_TYPES),
      ...missing('statuses', ['open', 'suspended', 'closed', 'withdrawn', 'failed']),
    ]).toEqual([]);
  });

  it('when the document lists the problem slugs, then each has a label', () => {
    const doc = JSON.stringify(buildOpenApi(declaredRoutes()));
    const list = /Slugs: ([^;]+);/.exec(doc)?.[1] ?? '';
    const slugs = list
      .replace(/\([^)]*\)/g, '')
      .split(/,\s*/)
      .map((x) => x.trim())
      .filter((x) => /^[a-z-]+$/.test(x));
    expect(slugs.length).toBeGreaterThan(20);
    expect(missing('problems', slugs)).toEqual([]);
  });

  it('when a workflow sets a step, then its stable code has a label', () => {
    const steps = stepsInSource();
    expect(steps.length).toBeGreaterThan(30);
    expect(
      missing(
        'steps',
        steps.map((s) => stepCode(s).code),
      ),
    ).toEqual([]);
    expect(stepCode('joint examination at the Region of Tuscany')).toEqual({
      code: 'joint-examination-at',
      params: ['the Region of Tuscany'],
    });
    expect(stepCode("awaiting the Region's opinion").code).toBe('awaiting-the-region-s-opinion');
  });
});
