import type { DocumentData, DocumentSnapshot } from '@google-cloud/firestore';
import type { ChannelSettings } from '../../domain/model/channel-settings.js';

// Firestore holds no array directly inside an array, which a valid JSON Schema may have
// (`"enum": [[1, 2]]`, `"examples": [["a", "b"]]`): a tool's parameters are stored as their JSON text.

/** The settings as stored: each tool's parameters as JSON text. */
export function storedSettings(settings: ChannelSettings): DocumentData {
  if (!settings.tools) return settings;
  return { ...settings, tools: settings.tools.map((tool) => ({ ...tool, parameters: JSON.stringify(tool.parameters) })) };
}

/** A stored settings document with each tool's parameters parsed back (text that is not JSON is left for the decoder to refuse). */
export function withToolParameters(snapshot: Pick<DocumentSnapshot, 'ref' | 'data'>): Pick<DocumentSnapshot, 'ref' | 'data'> {
  const data = snapshot.data();
  if (!data || !Array.isArray(data.tools)) return snapshot;
  const tools = data.tools.map((tool: unknown) => (isStoredTool(tool) ? { ...tool, parameters: parsedOr(tool.parameters) } : tool));
  return { ref: snapshot.ref, data: () => ({ ...data, tools }) };
}

const isStoredTool = (tool: unknown): tool is { parameters: string } => tool !== null && typeof tool === 'object' && typeof (tool as { parameters?: unknown }).parameters === 'string';

function parsedOr(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
