import { Migration } from '@mikro-orm/migrations';

/** As the domain's searchKey: lower case, without white space; the participant and the profile name together. */
export const SEARCH_KEY_COLUMN = `search_key text generated always as (
  regexp_replace(lower(coalesce(participant, '') || '/' || coalesce(profile_name, '')), '\\s+', '', 'g')) stored`;

/**
 * The conversations list's search reads one precomputed key per row of the range instead of
 * lowering and despacing two columns of every row per query (a month of a million facts: about
 * 400 ms of the scan). Adding a stored column rewrites both tables once.
 */
export class M013ConversationSearch extends Migration {
  override up(): void {
    this.addSql(`alter table conversation_day add column ${SEARCH_KEY_COLUMN}`);
    this.addSql(`alter table interaction add column ${SEARCH_KEY_COLUMN}`);
  }

  override down(): void {
    this.addSql('alter table interaction drop column if exists search_key');
    this.addSql('alter table conversation_day drop column if exists search_key');
  }
}
