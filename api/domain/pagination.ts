// Keyset pagination shared by every list: the cursor is the last row's id, and the next page starts
// strictly after that row in (created_at, id) order, so a deep page costs what the first one does.
export interface Page {
  limit: number;
  cursor?: string | undefined;
}

/** Fetch one row more than asked: its presence says whether there is a next page. */
export function toPage<T extends { id: string | bigint }>(rows: T[], limit: number) {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last ? String(last.id) : null };
}

/** Ids are UUIDs; anything else can name no row (and must not reach a uuid comparison). */
export const uuidLike = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
