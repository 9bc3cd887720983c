import { GptTokenCounter } from '../../src/adapters/openai/gpt-token-counter.js';
import { tokenCounterContract } from './token-counter.contract.js';

// One implementation, two encodings: o200k_base (GPT-4o and later, other vendors) and cl100k_base (GPT-4, GPT-3.5).
tokenCounterContract('GptTokenCounter (gpt-4o-mini: o200k_base)', () => new GptTokenCounter('gpt-4o-mini'));
tokenCounterContract('GptTokenCounter (gpt-4: cl100k_base)', () => new GptTokenCounter('gpt-4'));
tokenCounterContract('GptTokenCounter (llama3.2: o200k_base as the closest stand-in)', () => new GptTokenCounter('llama3.2'));
