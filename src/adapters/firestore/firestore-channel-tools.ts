import type { DocumentData, DocumentSnapshot } from '@google-cloud/firestore';
import type { ChannelSettings } from '../../domain/model/channel-settings.js';
import { asJsonText, fromJsonText } from './firestore-json-text.js';

// A valid JSON Schema may hold an array in an array (`"enum": [[1, 2]]`): a tool's parameters are stored as their JSON text.

/** The settings as stored: each tool's parameters as JSON text. */
export function storedSettings(settings: ChannelSettings): DocumentData {
  if (!settings.tools) return settings;
  return { ...settings, tools: settings.tools.map((tool) => ({ ...tool, parameters: asJsonText(tool.parameters) })) };
}

/** A stored settings document with each tool's parameters parsed back (text that is not JSON is left for the decoder to refuse). */
export function withToolParameters(snapshot: Pick<DocumentSnapshot, 'ref' | 'data'>): Pick<DocumentSnapshot, 'ref' | 'data'> {
  const data = snapshot.data();
  if (!data || !Array.isArray(data.tools)) return snapshot;
  const tools = data.tools.map((tool: unknown) => (isStoredTool(tool) ? { ...tool, parameters: fromJsonText(tool.parameters) } : tool));
  return { ref: snapshot.ref, data: () => ({ ...data, tools }) };
}

const isStoredTool = (tool: unknown): tool is { parameters: string } => tool !== null && typeof tool === 'object' && typeof (tool as { parameters?: unknown }).parameters === 'string';
