/**
 * Keyset paging for lists: "Load more" fetches the page after the last row shown, so the list stays
 * fast however long it is (no OFFSET), and says how many of how many are shown. Every list answers
 * pages of `{ items, total, totalIsCapped }`; a list is a useInfiniteQuery over them.
 */

/** The part of a useInfiniteQuery result over a list's pages that paging needs. */
export type PagedList<T> = {
  data: { pages: readonly { items: readonly T[]; total: number; totalIsCapped?: boolean }[] } | undefined;
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  fetchNextPage: () => unknown;
};

/** The rows of every page loaded so far. */
export const loadedItems = <T,>(list: PagedList<T>): T[] => list.data?.pages.flatMap((page) => page.items) ?? [];

export function LoadMore({ list, noun }: { list: PagedList<unknown>; noun: string }) {
  const first = list.data?.pages[0];
  // A capped count means "more than total" (the API stops counting there).
  const total = first ? `${first.total}${first.totalIsCapped ? '+' : ''}` : '0';
  return (
    <div className="toolbar" aria-live="polite">
      <span className="muted">
        Showing {loadedItems(list).length} of {total} {noun}
      </span>
      {list.hasNextPage && (
        <button type="button" onClick={() => list.fetchNextPage()} disabled={list.isFetchingNextPage}>
          {list.isFetchingNextPage ? 'Loading…' : 'Load more'}
        </button>
      )}
    </div>
  );
}
