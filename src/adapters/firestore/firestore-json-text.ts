// Firestore holds no array directly inside an array. JSON that admins or the model write may have
// one (a schema's `"enum": [[1, 2]]`, a tool call's `{"points": [[52.5, 13.4]]}`), so such values
// are stored as their JSON text and parsed back on read.

export const asJsonText = (value: unknown): string => JSON.stringify(value ?? null);

/** JSON text parsed back; text that is not JSON is left as it is, for the document's decoder to judge. */
export function fromJsonText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
