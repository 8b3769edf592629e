import type { FieldType } from './filter-builder.ts';

export interface FieldDef {
  name: string;
  type: FieldType;
  required?: boolean;
  default?: unknown;
  items?: string;
  maxLength?: number;
  index?: boolean;
}

export interface TableInfo {
  id: number;
  name: string;
  fields: FieldDef[];
  created_at: string;
  updated_at: string;
}

export type TableRecord = Record<string, unknown> & { id: string };

export interface RecordPage {
  meta: {
    limit: number;
    offset: number;
    total_count: number;
    next: string | null;
    previous: string | null;
  };
  objects: TableRecord[];
}
