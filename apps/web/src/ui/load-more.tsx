/**
 * Keyset paging for lists: "Load more" fetches the page after the last row shown, so the list stays
 * fast however long it is (no OFFSET), and says how many of how many are shown.
 */
type Props = {
  shown: number;
  total: number;
  hasMore: boolean;
  isLoading: boolean;
  onLoadMore: () => void;
  noun: string;
};

export function LoadMore({ shown, total, hasMore, isLoading, onLoadMore, noun }: Props) {
  return (
    <div className="toolbar" aria-live="polite">
      <span className="muted">
        Showing {shown} of {total} {noun}
      </span>
      {hasMore && (
        <button type="button" onClick={onLoadMore} disabled={isLoading}>
          {isLoading ? 'Loading…' : 'Load more'}
        </button>
      )}
    </div>
  );
}
