/**
 * Forms generated from the JSON Schema the API publishes for each start input, task outcome and news type
 * (`GET /v1/procedures`): objects as fieldsets, enums as selects, dates as date pickers, numbers, checkboxes,
 * repeatable lists, nullable fields. The browser does not validate: the API does, and each error it names is shown
 * under its field (`aria-invalid`, `aria-describedby`), in the API's words. Any form can also be filled as JSON
 * (a long list of workers pasted at once).
 */
import type { FieldError } from './api';
import { h, uid } from './dom';
import { fieldLabel, label } from './labels';

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  format?: string;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  default?: unknown;
  description?: string;
  title?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  example?: unknown;
}

/** What a part of the form gives: a value, or `undefined` for an optional field left empty. */
interface Part {
  element: HTMLElement;
  get(): unknown;
}

interface Slot {
  control: HTMLElement;
  feedback: HTMLElement;
  group: HTMLElement;
}

/** The schema without its `null` alternative, and whether null is allowed. */
function unwrapNullable(s: JsonSchema): { schema: JsonSchema; nullable: boolean } {
  const alts = s.anyOf ?? s.oneOf;
  if (alts) {
    const rest = alts.filter((a) => a.type !== 'null');
    if (rest.length === 1 && rest.length < alts.length)
      return { schema: { ...rest[0], ...pick(s) }, nullable: true };
  }
  return { schema: s, nullable: false };
}
function pick(s: JsonSchema): JsonSchema {
  const out: JsonSchema = {};
  if (s.description) out.description = s.description;
  if (s.default !== undefined) out.default = s.default;
  return out;
}

function typeOf(s: JsonSchema): string {
  if (Array.isArray(s.type)) return s.type.find((t) => t !== 'null') ?? 'string';
  if (s.type) return s.type;
  if (s.properties) return 'object';
  if (s.enum) return 'string';
  if (s.const !== undefined) return typeof s.const;
  return 'string';
}

/** What the form itself refuses before sending (JSON that is not JSON). */
export class FormErrors extends Error {
  constructor(readonly errors: FieldError[]) {
    super(errors.map((e) => e.message).join('; '));
  }
}

export class SchemaForm {
  readonly element: HTMLElement;
  private readonly slots = new Map<string, Slot>();
  private readonly root: Part;
  private readonly jsonArea: HTMLTextAreaElement;
  private readonly jsonSlot: Slot;
  private jsonMode = false;

  constructor(
    private readonly schema: JsonSchema,
    /** Where the API names this form's fields (`input`, `data`). */
    private readonly prefix: string,
    initial?: unknown,
  ) {
    this.root = this.part(schema, prefix, true, null, initial);
    const jsonId = uid('json');
    const jsonFeedback = h('div', { class: 'invalid-feedback', id: `${jsonId}-fb` });
    this.jsonArea = h('textarea', {
      id: jsonId,
      class: 'form-control font-monospace',
      rows: 12,
      'aria-describedby': `${jsonId}-fb`,
    });
    const jsonGroup = h(
      'div',
      { class: 'form-group d-none' },
      h('label', { for: jsonId, class: 'active' }, 'Dati in formato JSON'),
      this.jsonArea,
      jsonFeedback,
    );
    this.jsonSlot = { control: this.jsonArea, feedback: jsonFeedback, group: jsonGroup };
    const toggleId = uid('json-toggle');
    const hasFields = Object.keys(schema.properties ?? {}).length > 0;
    this.element = h(
      'div',
      { class: 'schema-form' },
      this.root.element,
      jsonGroup,
      hasFields
        ? h(
            'div',
            { class: 'form-check form-check-inline mt-2' },
            h('input', {
              type: 'checkbox',
              id: toggleId,
              'on:change': (e: Event) => this.setJsonMode((e.target as HTMLInputElement).checked),
            }),
            h('label', { for: toggleId }, 'Compila come JSON'),
          )
        : null,
    );
  }

  private setJsonMode(on: boolean): void {
    if (on) this.jsonArea.value = JSON.stringify(this.root.get() ?? {}, null, 2);
    this.jsonMode = on;
    this.root.element.classList.toggle('d-none', on);
    this.jsonSlot.group.classList.toggle('d-none', !on);
  }

  /** The form's value; throws a FieldError list when the JSON typed is not JSON. */
  value(): unknown {
    if (!this.jsonMode) return this.root.get() ?? {};
    try {
      return JSON.parse(this.jsonArea.value) as unknown;
    } catch (e) {
      throw new FormErrors([{ path: '(json)', message: `non è JSON valido: ${(e as Error).message}` }]);
    }
  }

  clearErrors(): void {
    for (const slot of [...this.slots.values(), this.jsonSlot]) {
      slot.control.classList.remove('is-invalid');
      slot.control.removeAttribute('aria-invalid');
      slot.feedback.textContent = '';
    }
  }

  /**
   * Shows each error under the field it names (or the nearest enclosing one); answers those that name no field of
   * this form, for the page to show above it.
   */
  showErrors(errors: readonly FieldError[]): FieldError[] {
    this.clearErrors();
    const unplaced: FieldError[] = [];
    let first: HTMLElement | null = null;
    for (const e of errors) {
      const slot = this.jsonMode ? this.jsonSlot : this.slotFor(e.path);
      if (!slot) {
        unplaced.push(e);
        continue;
      }
      slot.control.classList.add('is-invalid');
      slot.control.setAttribute('aria-invalid', 'true');
      const where = this.jsonMode ? `${e.path}: ` : '';
      slot.feedback.textContent = [slot.feedback.textContent, `${where}${e.message}`]
        .filter(Boolean)
        .join('; ');
      first ??= slot.control;
    }
    first?.focus();
    return unplaced;
  }

  private slotFor(path: string): Slot | undefined {
    const parts = path.split('.');
    for (let n = parts.length; n > 0; n -= 1) {
      const slot = this.slots.get(parts.slice(0, n).join('.'));
      if (slot) return slot;
    }
    return undefined;
  }

  private register(path: string, slot: Slot): void {
    this.slots.set(path, slot);
  }

  private part(
    raw: JsonSchema,
    path: string,
    required: boolean,
    name: string | null,
    initial: unknown,
  ): Part {
    const { schema, nullable } = unwrapNullable(raw);
    const type = typeOf(schema);
    if (type === 'object' && schema.properties) return this.objectPart(schema, path, name, initial);
    if (type === 'array') return this.arrayPart(schema, path, required, name ?? path, initial);
    return this.fieldPart(schema, type, path, required && !nullable, nullable, name ?? path, initial);
  }

  private objectPart(schema: JsonSchema, path: string, name: string | null, initial: unknown): Part {
    const values = (initial && typeof initial === 'object' ? initial : {}) as Record<string, unknown>;
    const required = new Set(schema.required ?? []);
    const parts = Object.entries(schema.properties ?? {}).map(
      ([key, sub]) => [key, this.part(sub, `${path}.${key}`, required.has(key), key, values[key])] as const,
    );
    const feedback = h('div', { class: 'invalid-feedback d-block', role: 'alert' });
    const body = h('div', { class: 'schema-object' }, ...parts.map(([, p]) => p.element), feedback);
    const element =
      name === null
        ? body
        : h(
            'fieldset',
            { class: 'schema-fieldset mb-3', tabindex: -1 },
            h('legend', { class: 'h6' }, fieldLabel(name)),
            schema.description ? h('p', { class: 'form-text' }, schema.description) : null,
            body,
          );
    this.register(path, { control: element, feedback, group: element });
    return {
      element,
      get: () => {
        const out: Record<string, unknown> = {};
        for (const [key, p] of parts) {
          const v = p.get();
          if (v !== undefined) out[key] = v;
        }
        return name !== null && Object.keys(out).length === 0 && !required.size ? undefined : out;
      },
    };
  }

  private arrayPart(
    schema: JsonSchema,
    path: string,
    required: boolean,
    name: string,
    initial: unknown,
  ): Part {
    const items = schema.items ?? { type: 'string' };
    const list = h('div', { class: 'schema-list' });
    const rows: { part: Part; row: HTMLElement }[] = [];
    const feedback = h('div', { class: 'invalid-feedback d-block', role: 'alert' });
    const renumber = (): void => {
      rows.forEach((r, i) => r.row.querySelector('.schema-item-n')?.replaceChildren(`${i + 1}.`));
    };
    const add = (value?: unknown): void => {
      const index = rows.length;
      const part = this.part(items, `${path}.${index}`, true, `${name}`, value);
      const entry: { part: Part; row: HTMLElement } = { part, row: h('div') };
      entry.row = h(
        'div',
        { class: 'schema-item d-flex align-items-start gap-2 mb-2' },
        h('span', { class: 'schema-item-n pt-2' }, `${index + 1}.`),
        h('div', { class: 'flex-grow-1' }, part.element),
        h(
          'button',
          {
            type: 'button',
            class: 'btn btn-outline-secondary btn-sm',
            'aria-label': `Rimuovi la voce ${index + 1} di ${fieldLabel(name)}`,
            'on:click': () => {
              rows.splice(rows.indexOf(entry), 1);
              entry.row.remove();
              renumber();
            },
          },
          'Rimuovi',
        ),
      );
      rows.push(entry);
      list.appendChild(entry.row);
    };
    const start = Array.isArray(initial) ? initial : [];
    for (const v of start) add(v);
    for (let i = start.length; i < Math.max(schema.minItems ?? 0, required ? 1 : 0); i += 1) add();
    const element = h(
      'fieldset',
      { class: 'schema-fieldset mb-3', tabindex: -1 },
      h('legend', { class: 'h6' }, fieldLabel(name)),
      schema.description ? h('p', { class: 'form-text' }, schema.description) : null,
      list,
      feedback,
      h(
        'button',
        { type: 'button', class: 'btn btn-outline-primary btn-sm', 'on:click': () => add() },
        `Aggiungi a ${fieldLabel(name).toLowerCase()}`,
      ),
    );
    this.register(path, { control: element, feedback, group: element });
    return {
      element,
      get: () => {
        const values = rows.map((r) => r.part.get()).filter((v) => v !== undefined);
        return values.length === 0 && !required ? undefined : values;
      },
    };
  }

  private fieldPart(
    schema: JsonSchema,
    type: string,
    path: string,
    required: boolean,
    nullable: boolean,
    name: string,
    initial: unknown,
  ): Part {
    const id = uid('f');
    const fbId = `${id}-fb`;
    const helpId = `${id}-help`;
    const feedback = h('div', { class: 'invalid-feedback', id: fbId });
    const help = schema.description
      ? h('small', { class: 'form-text', id: helpId }, schema.description)
      : null;
    const describedBy = [fbId, help ? helpId : null].filter(Boolean).join(' ');
    const text = `${fieldLabel(name)}${required ? ' *' : ''}`;
    const start = initial ?? schema.default;
    let control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;
    let group: HTMLElement;
    let get: () => unknown;
    const common = {
      id,
      name: path,
      'aria-describedby': describedBy,
      'aria-required': required ? 'true' : null,
    };

    if (type === 'boolean') {
      const input = h('input', { ...common, type: 'checkbox', checked: start === true });
      control = input;
      group = h('div', { class: 'form-check mb-3' }, input, h('label', { for: id }, text), help, feedback);
      get = () => input.checked;
    } else if (schema.enum) {
      const select = h(
        'select',
        { ...common, class: 'form-select' },
        h('option', { value: '' }, required ? 'Scegli…' : '(nessuno)'),
        ...schema.enum.map((v) =>
          h('option', { value: String(v), selected: v === start }, label('values', String(v), String(v))),
        ),
      );
      control = select;
      group = h(
        'div',
        { class: 'select-wrapper mb-3' },
        h('label', { for: id }, text),
        select,
        help,
        feedback,
      );
      get = () => (select.value === '' ? (nullable ? null : undefined) : select.value);
    } else {
      const long = type === 'string' && (schema.maxLength ?? 0) > 400;
      const inputType =
        type === 'number' || type === 'integer'
          ? 'number'
          : schema.format === 'date'
            ? 'date'
            : schema.format === 'date-time'
              ? 'datetime-local'
              : 'text';
      const value = typeof start === 'string' || typeof start === 'number' ? String(start) : '';
      const input: HTMLInputElement | HTMLTextAreaElement = long
        ? h('textarea', { ...common, class: 'form-control', rows: 3 }, value)
        : h('input', {
            ...common,
            class: 'form-control',
            type: inputType,
            value,
            step: type === 'integer' ? 1 : type === 'number' ? 'any' : null,
            min: schema.minimum ?? null,
            max: schema.maximum ?? null,
          });
      control = input;
      group = h(
        'div',
        { class: 'form-group mb-3' },
        h('label', { for: id, class: 'active' }, text),
        input,
        help,
        feedback,
      );
      get = () => {
        const v = input.value.trim();
        if (v === '') return nullable ? null : undefined;
        if (type === 'number' || type === 'integer') {
          const n = Number(v);
          return Number.isFinite(n) ? n : v;
        }
        return v;
      };
    }
    this.register(path, { control, feedback, group });
    return { element: group, get };
  }
}
