/**
 * What changed in a case view since it was last written, as MongoDB `$set` paths: the read model receives only
 * those, so the bytes a flush stores in the workflow's history do not grow with the size of the case.
 *
 * Arrays (tasks, deadlines, documents, …, and arrays inside `facts`) are compared element by element and sent as
 * `<field>.<index>`; an array that appears or shrinks is sent whole. Facts are compared key by key. Pure code: the
 * kernel keeps one `ViewDiff` per case and calls it at each flush.
 */

/** Top-level fields of the view whose arrays are diffed element by element. */
const ARRAY_FIELDS = new Set(['tasks', 'deadlines', 'documents', 'decisions', 'checks']);

export interface ViewChanges {
  set: Record<string, unknown>;
  unset: string[];
}

/** A key MongoDB (and FerretDB) accept as one path segment. */
function safeKey(key: string): boolean {
  return key.length > 0 && !key.includes('.') && !key.startsWith('$');
}

export class ViewDiff {
  /** The JSON of each path as last written; `<path>#` holds an array's length. */
  private readonly written = new Map<string, string>();

  /** Records `view` as written without producing changes (a run continued as new starts from what is stored). */
  prime(view: Record<string, unknown>): void {
    this.changes(view);
  }

  /** The paths of `view` that differ from what was last written, recorded as written. */
  changes(view: Record<string, unknown>): ViewChanges {
    const out: ViewChanges = { set: {}, unset: [] };
    for (const [field, value] of Object.entries(view)) {
      if (field === 'facts' && isPlainObject(value) && this.written.has('facts#keys')) {
        this.facts(value, out);
      } else if (field === 'facts' && isPlainObject(value)) {
        this.whole('facts', value, out);
        this.written.set('facts#keys', JSON.stringify(Object.keys(value)));
        for (const [k, v] of Object.entries(value)) this.remember(`facts.${k}`, v, true);
      } else {
        this.value(field, value, ARRAY_FIELDS.has(field), out);
      }
    }
    return out;
  }

  private facts(facts: Record<string, unknown>, out: ViewChanges): void {
    const before = JSON.parse(this.written.get('facts#keys') ?? '[]') as string[];
    const keys = Object.keys(facts);
    if (!keys.every(safeKey)) {
      // A key MongoDB cannot take as a path: the facts go whole.
      this.forget('facts');
      this.whole('facts', facts, out);
      for (const [k, v] of Object.entries(facts)) this.remember(`facts.${k}`, v, true);
    } else {
      for (const k of before) {
        if (!(k in facts)) {
          out.unset.push(`facts.${k}`);
          this.forget(`facts.${k}`);
        }
      }
      for (const [k, v] of Object.entries(facts)) this.value(`facts.${k}`, v, true, out);
    }
    this.written.set('facts#keys', JSON.stringify(keys));
  }

  private value(path: string, value: unknown, elementwise: boolean, out: ViewChanges): void {
    if (elementwise && Array.isArray(value)) {
      const len = this.written.get(`${path}#`);
      if (len === undefined || Number(len) > value.length) {
        this.forget(path);
        this.whole(path, value, out);
        this.remember(path, value, true);
        return;
      }
      for (const [i, item] of value.entries()) {
        const text = JSON.stringify(item);
        if (this.written.get(`${path}.${i}`) !== text) {
          out.set[`${path}.${i}`] = item;
          this.written.set(`${path}.${i}`, text);
        }
      }
      this.written.set(`${path}#`, String(value.length));
      return;
    }
    const text = JSON.stringify(value) ?? 'null';
    if (this.written.get(path) === text) return;
    // A value that was an array before and is not now: drop the element records.
    if (this.written.has(`${path}#`)) this.forget(path);
    out.set[path] = value === undefined ? null : value;
    this.written.set(path, text);
  }

  private whole(path: string, value: unknown, out: ViewChanges): void {
    out.set[path] = value;
  }

  /** Records `value` as written at `path` (element by element for arrays when `elementwise`). */
  private remember(path: string, value: unknown, elementwise: boolean): void {
    if (elementwise && Array.isArray(value)) {
      for (const [i, item] of value.entries()) this.written.set(`${path}.${i}`, JSON.stringify(item));
      this.written.set(`${path}#`, String(value.length));
    } else {
      this.written.set(path, JSON.stringify(value) ?? 'null');
    }
  }

  /** Forgets `path` and everything under it. */
  private forget(path: string): void {
    for (const key of [...this.written.keys()]) {
      if (key === path || key.startsWith(`${path}.`) || key.startsWith(`${path}#`)) this.written.delete(key);
    }
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
