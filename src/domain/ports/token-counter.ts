/** Counts tokens the way the model family of the configured model does (for prompt budgets). */
export interface TokenCounter {
  count(text: string): number;
}
