// Paging with the total, as the server counts it.
export function Pager(props: { page: number; pageSize: number; total: number; onPage(page: number): void }) {
  const { page, pageSize, total } = props;
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const first = total === 0 ? 0 : page * pageSize + 1;
  const last = Math.min(total, (page + 1) * pageSize);
  return (
    <div className="pager">
      <span data-testid="total">
        {first}–{last} of {total}
      </span>
      <button type="button" disabled={page === 0} onClick={() => props.onPage(page - 1)}>
        ‹ Previous
      </button>
      <span>
        Page {page + 1} / {pages}
      </span>
      <button type="button" disabled={page + 1 >= pages} onClick={() => props.onPage(page + 1)}>
        Next ›
      </button>
    </div>
  );
}
