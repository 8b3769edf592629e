import type { Page } from '../lib/api.ts';
import { formatNumber, t } from '../i18n/index.ts';

/** Previous / next over a paged list; nothing until the first page has loaded. */
export function Pager(props: {
  page: Page<unknown> | undefined;
  offset: number;
  limit: number;
  onOffset: (n: number) => void;
}) {
  if (!props.page) return null;
  const { offset, limit } = props;
  const total = props.page.meta.total_count;
  return (
    <div class="pager">
      <button
        type="button"
        class="small secondary"
        disabled={offset === 0}
        onClick={() => props.onOffset(Math.max(0, offset - limit))}
      >
        {t('common.previous')}
      </button>
      <span>
        {t('common.range', {
          from: formatNumber(total === 0 ? 0 : offset + 1),
          to: formatNumber(Math.min(total, offset + limit)),
          total: formatNumber(total),
        })}
      </span>
      <button
        type="button"
        class="small secondary"
        disabled={offset + limit >= total}
        onClick={() => props.onOffset(offset + limit)}
      >
        {t('common.next')}
      </button>
    </div>
  );
}
