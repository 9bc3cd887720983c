/**
 * Deletes transcripts (conversations, messages, their claims and spend days) not written for the
 * chat retention period, for stores without an expiry of their own (Firestore expires documents
 * by its TTL policy; a PostgreSQL store is swept). Idempotent: sweeps running at once delete each
 * row once.
 */
export interface TranscriptExpiry {
  purgeExpired(now: number): Promise<{ messages: number; conversations: number }>;
}
