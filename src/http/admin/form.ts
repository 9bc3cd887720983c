import type { Context } from 'hono';

export type Form = Record<string, string | File | (string | File)[]>;

/** The parsed form body (cached by Hono, so the CSRF check and the handler read it once). */
export const formOf = (c: Context): Promise<Form> => c.req.parseBody({ all: true });

/** One text field (the first when repeated); '' when absent or a file. */
export function text(form: Form, name: string): string {
  const value = form[name];
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first : '';
}

/** Only the listed fields, as text: anything else a client sends is ignored (no mass assignment). */
export function pick<K extends string>(form: Form, names: readonly K[]): Record<K, string> {
  return Object.fromEntries(names.map((name) => [name, text(form, name)])) as Record<K, string>;
}
