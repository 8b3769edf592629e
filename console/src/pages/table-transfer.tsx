import { useState } from 'preact/hooks';
import { api, ApiError } from '../lib/api.ts';
import type { TableInfo } from '../lib/table-types.ts';
import { importRecords } from '../lib/csv-import.ts';
import { formatNumber, t } from '../i18n/index.ts';
import { useAction } from '../components/use-load.ts';
import { ErrorBox } from '../components/error-box.tsx';

const BATCH = 1000; // the engine's bulk create takes at most 1000 records per call

/** Export as CSV or JSON; import a CSV or JSON file after a preview. */
export function TableTransfer({ table }: { table: TableInfo }) {
  const [preview, setPreview] = useState<Record<string, unknown>[] | null>(null);
  const [imported, setImported] = useState<number | null>(null);
  const exp = useAction();
  const imp = useAction();
  const download = (format: 'csv' | 'json') =>
    exp.run(async () => {
      const text = await api.text(
        `/tables/${encodeURIComponent(table.name)}/export?format=${format}`,
      );
      const url = URL.createObjectURL(
        new Blob([text], { type: format === 'csv' ? 'text/csv' : 'application/json' }),
      );
      const a = document.createElement('a');
      a.href = url;
      a.download = `${table.name}.${format}`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    });
  const readFile = (file: File) =>
    imp.run(async () => {
      setImported(null);
      const text = await file.text();
      const kind = file.name.toLowerCase().endsWith('.json') ? 'json' : 'csv';
      try {
        setPreview(importRecords(text, kind, table.fields));
      } catch (err) {
        throw new ApiError(400, 'E_CONSOLE_BAD_FILE', (err as Error).message, { field: file.name });
      }
    });
  const send = () =>
    imp.run(async () => {
      if (!preview) return;
      let done = 0;
      for (let i = 0; i < preview.length; i += BATCH) {
        await api.post(
          `/tables/${encodeURIComponent(table.name)}/records`,
          preview.slice(i, i + BATCH),
        );
        done += Math.min(BATCH, preview.length - i);
      }
      setImported(done);
      setPreview(null);
    });
  const columns = table.fields.map((f) => f.name);
  return (
    <div class="grid2">
      <div class="card">
        <h3>{t('tbl.export')}</h3>
        <button type="button" onClick={() => void download('csv')}>
          CSV
        </button>{' '}
        <button type="button" onClick={() => void download('json')}>
          JSON
        </button>
        <ErrorBox error={exp.error} />
      </div>
      <div class="card">
        <h3>{t('tbl.import')}</h3>
        <input
          type="file"
          accept=".csv,.json"
          onChange={(e) => e.currentTarget.files?.[0] && void readFile(e.currentTarget.files[0])}
        />
        <ErrorBox error={imp.error} />
        {imported !== null ? (
          <p class="ok">{t('tbl.imported', { count: formatNumber(imported) })}</p>
        ) : null}
        {preview ? (
          <>
            <p>{t('tbl.previewOf', { count: formatNumber(preview.length) })}</p>
            <div class="grid-scroll">
              <table class="list">
                <thead>
                  <tr>
                    {columns.map((c) => (
                      <th>{c}</th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {preview.slice(0, 10).map((r) => (
                    <tr>
                      {columns.map((c) => (
                        <td>{r[c] === undefined || r[c] === null ? '' : JSON.stringify(r[c])}</td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <button type="button" onClick={() => void send()} disabled={imp.busy}>
              {t('tbl.importNow')}
            </button>
          </>
        ) : null}
      </div>
    </div>
  );
}
