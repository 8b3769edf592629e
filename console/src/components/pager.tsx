import { formatNumber, t } from '../i18n/index.ts';

export function Pager(props: {
  offset: number;
  limit: number;
  total: number;
  onOffset: (n: number) => void;
}) {
  const { offset, limit, total } = props;
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
