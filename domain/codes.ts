/**
 * Stable codes for what the API shows in words (issue 14 §4): a case's step is written by its procedure as a short
 * English phrase, some with a part that varies (the body hosting an examination, a count of workers); its code is
 * the phrase without that part, in kebab case, and the part is its parameter. Labels in any language are keyed by
 * code (console/labels/<language>.json), so the API stays language-neutral.
 */

/** Steps whose phrase ends with a part that varies: the code, and the pattern that captures the part. */
const PARAMETERISED: readonly { code: string; pattern: RegExp }[] = [
  { code: 'joint-examination-at', pattern: /^joint examination at (.+)$/ },
  { code: 'administrative-phase-at', pattern: /^administrative phase at (.+)$/ },
  { code: 'take-in-charge-of-workers', pattern: /^take-in-charge of (\d+) worker\(s\)$/ },
];

/** Lower case, every run of other characters one hyphen. */
export function kebab(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** A step's stable code and the parts of its phrase that vary. */
export function stepCode(step: string): { code: string; params: string[] } {
  for (const p of PARAMETERISED) {
    const m = p.pattern.exec(step);
    if (m) return { code: p.code, params: m.slice(1) };
  }
  return { code: kebab(step), params: [] };
}
