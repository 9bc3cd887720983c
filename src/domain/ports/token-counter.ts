/**
 * Counts tokens the way the model family of the configured model does (for prompt budgets).
 * A count is never more than the text's UTF-8 bytes (a token covers at least one byte), so a
 * prompt whose bytes fit a budget fits it without being counted.
 */
export interface TokenCounter {
  count(text: string): number;
}
